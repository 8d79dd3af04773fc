#!/usr/bin/env python3
"""Checks that our Java reference reads a model written by train.py as the published implementation does.

Run from the repository root:  /usr/bin/python3 trained-model/check_java.py --model trained-model/out
For one prompt per language and one of code it runs `./mixtral trace` and Hugging Face MixtralForCausalLM (in
float32, on the same bf16 weights) and compares the token ids, the logits and the experts each layer chose.
Exit status 0 when all agree (logits within --tol), 1 otherwise. A quick check, not a golden test: the golden cases
for this model are left to golden/generate.py.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from train import import_transformers  # noqa: E402  (same import of the published implementation)

PROMPTS = {
    "en": "The package manager installs the files listed in the archive.",
    "fr": "Le gestionnaire de paquets installe les fichiers de l'archive.",
    "de": "Der Paketmanager installiert die Dateien aus dem Archiv.",
    "es": "El gestor de paquetes instala los archivos del archivo.",
    "it": "Il gestore dei pacchetti installa i file dell'archivio.",
    "code": "public static int sum(int[] xs) { int s = 0; for (int x : xs) s += x; return s; }",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True, help="folder written by train.py")
    ap.add_argument("--tol", type=float, default=1e-3, help="largest allowed logit difference")
    args = ap.parse_args()
    if not (args.model / "model.safetensors").exists() or not (args.model / "config.json").exists():
        ap.error(f"{args.model} holds no config.json + model.safetensors: run trained-model/train.py first")
    transformers = import_transformers()
    from safetensors.torch import load_file
    cfg = json.loads((args.model / "config.json").read_text())
    config = transformers.MixtralConfig(**{k: v for k, v in cfg.items() if k not in ("head_dim", "torch_dtype")},
                                        attn_implementation="eager")
    model = transformers.MixtralForCausalLM(config).eval()
    weights = {k: v.float() for k, v in load_file(str(args.model / "model.safetensors")).items()}
    model.load_state_dict(weights, strict=True)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for language, prompt in PROMPTS.items():
            trace_path = Path(tmp) / f"{language}.safetensors"
            run = subprocess.run([str(ROOT / "mixtral"), "trace", "--model", str(args.model), "--prompt", prompt,
                                  "--out", str(trace_path)], capture_output=True, text=True)
            if run.returncode != 0:
                raise SystemExit(f"./mixtral trace failed on the {language} prompt: {run.stderr.strip()}")
            trace = load_file(str(trace_path))
            ids = trace["tokens"][None]                                          # [1, T]
            with torch.no_grad():
                out = model(input_ids=ids, output_router_logits=True)
            diff = (out.logits[0] - trace["logits"]).abs().max().item()
            same_experts = all(
                torch.equal(torch.topk(rl, config.num_experts_per_tok, dim=-1).indices.sort(-1).values,
                            trace[f"layers.{i}.moe.selected_experts"].sort(-1).values)
                for i, rl in enumerate(out.router_logits))
            good = diff <= args.tol and same_experts
            ok &= good
            print(f"{language:5s} {ids.shape[1]:3d} tokens  max |logit diff| {diff:.2e}  "
                  f"experts {'same' if same_experts else 'DIFFERENT'}  {'ok' if good else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
