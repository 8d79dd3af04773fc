#!/usr/bin/env python3
"""Trains the trained demo model's tokenizer on the corpus: SentencePiece BPE with byte fallback, with the same
normalizer and trainer settings as Mixtral's tokenizer.model (its normalizer_spec and trainer_spec, as
sentencepiece's model proto shows them).

Run after build_corpus.py:  /usr/bin/python3 trained-model/train_tokenizer.py [--vocab 4000]
Writes trained-model/tokenizer.model. The training text is a balanced sample: the same number of bytes from each
language and from code, taken as evenly spaced lines of each source's training text (never held-out text).
Deterministic (one thread, no sampling, no shuffling), so running it again gives the same file.
"""
import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

import sentencepiece as spm

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
MANIFEST = HERE / "corpus-manifest.json"
OUT = HERE / "tokenizer.model"
MAX_LINE_BYTES = 4000  # SentencePiece skips longer sentences (max_sentence_length 4192)


def evenly_spaced_lines(text, budget):
    lines = [l for l in text.splitlines() if l.strip() and len(l.encode("utf-8")) < MAX_LINE_BYTES]
    total = sum(len(l.encode("utf-8")) + 1 for l in lines)
    step = max(1.0, total / budget)
    return [lines[int(i * step)] for i in range(int(len(lines) / step))]


def balanced_sample(bytes_per_language):
    sources = json.loads(MANIFEST.read_text(encoding="utf-8"))["sources"]
    by_language = {}
    for s in sources:
        by_language.setdefault(s["language"], []).append(s["source"])
    out = []
    for language in sorted(by_language):
        names = by_language[language]
        for name in names:
            text = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
            out += evenly_spaced_lines(text, bytes_per_language // len(names))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vocab", type=int, default=4000, help="pieces, including 256 byte pieces and 3 specials")
    ap.add_argument("--sample-mb", type=float, default=2.0, help="training text per language (and code), MB")
    args = ap.parse_args()
    if not MANIFEST.exists() or not CORPUS.is_dir():
        raise SystemExit(f"no corpus: run trained-model/build_corpus.py first ({CORPUS} is missing)")
    lines = balanced_sample(int(args.sample_mb * 1e6))
    spm.set_random_generator_seed(20240101)
    with tempfile.TemporaryDirectory() as tmp:
        # The model records its input and output paths: train in a scratch folder with relative names, so that
        # the file does not depend on where the checkout is.
        Path(tmp, "sample.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            spm.SentencePieceTrainer.train(
                input="sample.txt",
                model_prefix="tokenizer",
                model_type="bpe",
                vocab_size=args.vocab,
                byte_fallback=True,
                # Mixtral's normalizer_spec: identity, dummy prefix, whitespace kept as it is.
                normalization_rule_name="identity",
                add_dummy_prefix=True,
                remove_extra_whitespaces=False,
                # Mixtral's trainer_spec splitting rules.
                split_digits=True,
                split_by_unicode_script=True,
                split_by_whitespace=True,
                split_by_number=True,
                allow_whitespace_only_pieces=True,
                max_sentencepiece_length=16,
                character_coverage=0.99995,  # rare characters go to byte pieces, as in Mixtral
                unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
                # Determinism.
                num_threads=1,
                shuffle_input_sentence=False,
                input_sentence_size=0,
                minloglevel=1,
            )
            shutil.copyfile("tokenizer.model", OUT)
        finally:
            os.chdir(cwd)
    sp = spm.SentencePieceProcessor(model_file=str(OUT))
    print(f"wrote {OUT} ({sp.get_piece_size()} pieces, trained on {len(lines)} lines)")
    for language, text in [("fr", "Bonjour, comment allez-vous ?"), ("de", "Guten Tag, wie geht es Ihnen?"),
                           ("code", "public static void main(String[] args) {")]:
        print(f"  {language}: {sp.encode(text, out_type=str)}")


if __name__ == "__main__":
    main()
