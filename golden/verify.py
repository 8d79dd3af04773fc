#!/usr/bin/env python3
"""Re-runs the Hugging Face model of each committed case with whichever transformers is on the path (for example
v4.36.2 through TRANSFORMERS_SRC) and prints the largest difference from golden.safetensors per case.
Usage: verify.py [case ...]"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from goldgen import published  # noqa: E402

transformers = published.import_transformers()

from safetensors.torch import load_file  # noqa: E402

from goldgen import run_hf  # noqa: E402

CASES = Path(__file__).resolve().parent / "cases"


def main(names):
    torch.set_num_threads(1)
    worst = 0.0
    for case_dir in sorted(p for p in CASES.iterdir() if (p / "case.json").exists()):
        if names and case_dir.name not in names:
            continue
        info = json.loads((case_dir / "case.json").read_text())
        golden = load_file(str(case_dir / "golden.safetensors"))
        model = run_hf.load(transformers, case_dir)
        now = run_hf.trace(model, golden["tokens"], info["attn_probs_recorded"])
        now["generated_tokens"], now["generated_logits"] = run_hf.generate(model, golden["tokens"], info["max_new_tokens"])
        diffs = {k: float((now[k].double() - golden[k].double()).abs().max()) if now[k].numel() else 0.0
                 for k in golden if k != "tokens"}
        assert set(now) | {"tokens"} == set(golden), set(now) ^ set(golden)
        name, diff = max(diffs.items(), key=lambda kv: kv[1])
        worst = max(worst, diff)
        print(f"{case_dir.name:22s} max |diff| {diff:.3g} ({name})  bitwise equal: {diff == 0.0}")
    print(f"transformers {transformers.__version__}: worst {worst:.3g}")


if __name__ == "__main__":
    main(sys.argv[1:])
