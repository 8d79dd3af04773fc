#!/usr/bin/env python3
"""Encodes corpus.jsonl with the reference library, sentencepiece, for the Java tokenizer's golden test.

    /usr/bin/python3 golden/tokenizer/make_golden.py [MIXTRAL_TOKENIZER_MODEL]

The Mixtral model defaults to $MIXTRAL_TOKENIZER, else ../shared/tokenizers/mistral-7b-v0.1-tokenizer.model beside
the checkout. Writes, one line per corpus line, {"ids": [...], "text": decode(ids)} (ids without BOS) to
mixtral-ids.jsonl, and the same for the demo model's tokenizer (trained-model/tokenizer.model, 4000 pieces) to
demo-ids.jsonl.
"""
import hashlib
import json
import os
import sys
from pathlib import Path

import sentencepiece as spm

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# The demo model's tokenizer as trained-model/train_tokenizer.py writes it; the demo model ships a byte-identical
# copy (golden's GoldenTest checks that), which is replaced together with the weights.
DEMO = ROOT / "trained-model" / "tokenizer.model"


def read_corpus():
    # Split on "\n" only: lines hold raw U+0085/U+2028 (json.dumps leaves them), which splitlines() would cut.
    text = (HERE / "corpus.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line]


def write_golden(model_path, corpus, out_name):
    sp = spm.SentencePieceProcessor(model_file=str(model_path))
    with open(HERE / out_name, "w", encoding="utf-8") as f:
        for line in corpus:
            ids = sp.encode(line)
            f.write(json.dumps({"ids": ids, "text": sp.decode(ids)}, ensure_ascii=False) + "\n")
    digest = hashlib.sha256(Path(model_path).read_bytes()).hexdigest()
    print(f"{out_name}: {len(corpus)} lines, model {model_path} sha256 {digest}")


def main():
    mixtral = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "MIXTRAL_TOKENIZER", str(ROOT.parent / "shared" / "tokenizers" / "mistral-7b-v0.1-tokenizer.model"))
    print(f"sentencepiece {spm.__version__}")
    corpus = read_corpus()
    write_golden(mixtral, corpus, "mixtral-ids.jsonl")
    write_golden(DEMO, corpus, "demo-ids.jsonl")


if __name__ == "__main__":
    main()
