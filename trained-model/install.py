#!/usr/bin/env python3
"""Makes a finished train.py run the project's embedded demo model and puts its record in the docs.

Run from the repository root:  /usr/bin/python3 trained-model/install.py --run trained-model/out
- config.json, model.safetensors, tokenizer.model -> reference/src/main/resources/demo-model/ (what the jar ships)
- loss.png, loss.csv, heldout.json, run.json      -> docs/trained-model/ (run.json gains the weights' sha256, which
  reference's DemoModelTest checks against the shipped file)
Then regenerate what depends on the weights (see trained-model/README.md, "After a new run").
"""
import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = ROOT / "reference" / "src" / "main" / "resources" / "demo-model"
DOCS_DIR = ROOT / "docs" / "trained-model"
MODEL_FILES = ["config.json", "model.safetensors", "tokenizer.model"]
RECORD_FILES = ["loss.png", "loss.csv", "heldout.json", "run.json"]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, required=True, help="the --out folder of a finished train.py run")
    args = ap.parse_args()
    missing = [n for n in MODEL_FILES + RECORD_FILES if not (args.run / n).is_file()]
    if missing:
        sys.exit(f"{args.run} is not a finished run: {', '.join(missing)} missing (train.py writes them at the end)")
    run = json.loads((args.run / "run.json").read_text())
    if run.get("smoke"):
        sys.exit(f"{args.run} is a --smoke run: not a model to ship")
    run["model_sha256"] = sha256(args.run / "model.safetensors")
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    DOCS_DIR.mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        shutil.copyfile(args.run / name, MODEL_DIR / name)
    for name in RECORD_FILES[:-1]:
        shutil.copyfile(args.run / name, DOCS_DIR / name)
    (DOCS_DIR / "run.json").write_text(json.dumps(run, indent=2) + "\n")
    print(f"installed {args.run}: weights sha256 {run['model_sha256'][:12]}..., {run['steps']} steps, "
          f"{run['parameters'] / 1e6:.2f}M parameters")


if __name__ == "__main__":
    main()
