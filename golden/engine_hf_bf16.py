#!/usr/bin/env python3
"""Runs the PUBLISHED Hugging Face MixtralForCausalLM in torch.bfloat16 (or float32, the control) on a checkpoint
folder and token ids, and writes what it computed as a trace of our format (docs/trace-format.md), floats converted to
float32 on write. The routing recorded is the engine's own: the experts its top-k chose and the weights it multiplied
the expert outputs by (renormalised in float32, then cast to the model's dtype, as the published block does).

Usage: engine_hf_bf16.py --model DIR --tokens 1,415,... --out HF.safetensors [--dtype bf16|f32] [--attention]

The published code is found as golden/README.md says (TRANSFORMERS_SRC / HF_HUB_SRC, or an installed
transformers 4.38.2). Compare with the reference: ./mixtral compare REF.safetensors HF.safetensors --model DIR.
Shapes: T tokens, D hidden, H heads, E experts, K experts per token, V vocab.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before torch is imported: one thread, reproducible sums

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

try:
    import torch
except ImportError:
    sys.exit("engine_hf_bf16.py: torch is not importable (Debian: apt-get install python3-torch, "
             "run with /usr/bin/python3; elsewhere: pip install torch==1.13.1)")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from goldgen import published, run_hf  # noqa: E402
from goldgen.trace import FORMAT_VERSION  # noqa: E402

DTYPES = {"bf16": torch.bfloat16, "f32": torch.float32}


def import_transformers():
    """transformers, or exit with one line saying how to get it."""
    try:
        return published.import_transformers()
    except ImportError as e:
        sys.exit(f"engine_hf_bf16.py: transformers is not importable ({e}); set TRANSFORMERS_SRC and HF_HUB_SRC to "
                 "checkouts of transformers v4.38.2 and huggingface_hub v0.20.3 (golden/README.md), or "
                 "pip install transformers==4.38.2")


def engine_name(transformers, dtype):
    """e.g. `transformers 4.38.2 torch 1.13 bf16` (Debian's torch 1.13.1 reports itself as 1.13.0a0)."""
    major_minor = ".".join(torch.__version__.split(".")[:2])
    return f"transformers {transformers.__version__} torch {major_minor} {dtype}"


def load(transformers, model_dir, dtype):
    return run_hf.load(transformers, model_dir, DTYPES[dtype])


def trace(transformers, model, model_dir, tokens, dtype, attention=False):
    """One forward over `tokens` (list of ids) with no cache: {trace name: tensor} in float32 / int64, and the
    trace's metadata."""
    t = torch.tensor(tokens, dtype=torch.int64)
    recorded = run_hf.trace(model, t, attention)
    tensors = {"tokens": t}
    for name, value in recorded.items():
        tensors[name] = value.float() if value.is_floating_point() else value.long()
    config = json.loads((Path(model_dir) / "config.json").read_text())
    meta = {
        "format": "mixtral-trace",
        "format_version": FORMAT_VERSION,
        "config": json.dumps(config, separators=(",", ":")),
        "engine": engine_name(transformers, dtype),
        "engine_settings": f"MixtralForCausalLM.from_pretrained(torch_dtype={DTYPES[dtype]}, "
                           f"attn_implementation=eager), one forward over {len(tokens)} tokens, use_cache=False, "
                           f"{torch.get_num_threads()} thread(s); values cast to float32 on write",
        "not_recorded": "" if attention else "layers.{i}.attn.probs (ask with --attention)",
    }
    return tensors, meta


def write(tensors, meta, out):
    from safetensors.torch import save_file  # installed package, or our stand-in in shims/ (after the import above)

    save_file(tensors, str(out), metadata=meta)


def bad_input(message):
    """Exit code 2, as ./mixtral does for bad input (1 is left for a missing torch or transformers)."""
    print(f"engine_hf_bf16.py: {message}", file=sys.stderr)
    sys.exit(2)


def parse_tokens(text):
    try:
        ids = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        bad_input(f"--tokens must be comma-separated integers, got {text!r}")
    if not ids:
        bad_input("--tokens is empty")
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True, help="Hugging Face-layout folder (config.json, model.safetensors)")
    ap.add_argument("--tokens", required=True, help="token ids, comma-separated (BOS included if wanted)")
    ap.add_argument("--out", type=Path, required=True, help="trace file to write (.safetensors)")
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="bf16", help="compute dtype (default bf16)")
    ap.add_argument("--attention", action="store_true", help="also record layers.{i}.attn.probs [H,T,T]")
    args = ap.parse_args()
    missing = [f for f in ("config.json", "model.safetensors") if not (args.model / f).is_file()]
    if missing:
        bad_input(f"{args.model} lacks {', '.join(missing)}")
    tokens = parse_tokens(args.tokens)
    vocab = json.loads((args.model / "config.json").read_text())["vocab_size"]
    bad = [i for i in tokens if not 0 <= i < vocab]
    if bad:
        bad_input(f"token ids {bad} outside the vocabulary [0, {vocab})")
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    transformers = import_transformers()
    model = load(transformers, args.model, args.dtype)
    tensors, meta = trace(transformers, model, args.model, tokens, args.dtype, args.attention)
    write(tensors, meta, args.out)
    print(f"{args.out}: {len(tensors)} tensors from {meta['engine']}")


if __name__ == "__main__":
    main()
