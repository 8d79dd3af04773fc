#!/usr/bin/env python3
"""Trains the demo model's tokenizer: SentencePiece BPE with the same settings as Mixtral's tokenizer.model.

Run from anywhere with Debian's python3-sentencepiece (0.1.97):  /usr/bin/python3 demo-model/train_tokenizer.py
Writes reference/src/main/resources/demo-model/tokenizer.model. Training is deterministic (one thread, no
sampling, no shuffling), so running it again gives the same file.
"""
import os
import shutil
import tempfile
from pathlib import Path

import sentencepiece as spm

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "reference" / "src" / "main" / "resources" / "demo-model" / "tokenizer.model"


def main():
    spm.set_random_generator_seed(20240101)
    with tempfile.TemporaryDirectory() as tmp:
        # The model records its input and output paths: train in a scratch folder with relative names, so that
        # the file does not depend on where the checkout is.
        shutil.copyfile(HERE / "tokenizer-training.txt", os.path.join(tmp, "tokenizer-training.txt"))
        os.chdir(tmp)
        spm.SentencePieceTrainer.train(
            input="tokenizer-training.txt",
            model_prefix="tokenizer",
            model_type="bpe",
            vocab_size=2000,
            hard_vocab_limit=False,
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
            character_coverage=1.0,
            unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
            # Determinism.
            num_threads=1,
            shuffle_input_sentence=False,
            input_sentence_size=0,
            minloglevel=1,
        )
        OUT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile("tokenizer.model", OUT)
        os.chdir(HERE)
    sp = spm.SentencePieceProcessor(model_file=str(OUT))
    print(f"wrote {OUT} ({sp.get_piece_size()} pieces)")


if __name__ == "__main__":
    main()
