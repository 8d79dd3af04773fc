#!/usr/bin/env python3
"""Counts the parameters of the published Hugging Face MixtralForCausalLM for the real Mixtral configurations,
by summing numel over the module's own parameters. The weights are created on torch's 'meta' device (shapes
only, no memory), so the full 56-layer model is counted directly; 1 and 2 layers are counted too, to show the
count is linear in the number of layers. Usage: param_count.py  (same environment variables as generate.py)."""
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from goldgen import published  # noqa: E402
from goldgen.trace import Spy, swap_global  # noqa: E402

transformers = published.import_transformers()

REAL = {
    "Mixtral-8x7B-v0.1": dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                              num_attention_heads=32, num_key_value_heads=8, num_local_experts=8,
                              num_experts_per_tok=2, vocab_size=32000, max_position_embeddings=32768),
    "Mixtral-8x22B-v0.1": dict(hidden_size=6144, intermediate_size=16384, num_hidden_layers=56,
                               num_attention_heads=48, num_key_value_heads=8, num_local_experts=8,
                               num_experts_per_tok=2, vocab_size=32000, max_position_embeddings=65536),
}


class MetaTorch(Spy):
    """`torch` as nn.Linear / nn.Embedding see it, with torch.empty placing its tensor on the meta device."""

    def __getattr__(self, attr):
        if attr == "empty":
            return lambda *shape, **kw: torch.empty(*shape, **{**kw, "device": "meta"})
        return super().__getattr__(attr)


def count(cfg_kwargs, layers):
    config = transformers.MixtralConfig(**{**cfg_kwargs, "num_hidden_layers": layers})
    restore = [swap_global(sys.modules[m], "torch", MetaTorch(torch, None, set()))
               for m in ("torch.nn.modules.linear", "torch.nn.modules.sparse")]
    try:
        model = transformers.MixtralForCausalLM(config)
    finally:
        for r in restore:
            r()
    total = sum(p.numel() for p in model.parameters())
    experts = model.model.layers[0].block_sparse_moe.experts
    per_expert = sum(p.numel() for p in experts[0].parameters())
    unused = layers * (config.num_local_experts - config.num_experts_per_tok) * per_expert
    return {"layers": layers, "total": total, "active": total - unused, "per_expert": per_expert}


def main():
    torch.set_default_dtype(torch.bfloat16)
    out = {}
    for name, cfg in REAL.items():
        rows = [count(cfg, n) for n in (1, 2, cfg["num_hidden_layers"])]
        per_layer = rows[1]["total"] - rows[0]["total"]
        extrapolated = rows[0]["total"] + per_layer * (cfg["num_hidden_layers"] - 1)
        assert extrapolated == rows[2]["total"], "parameter count should be linear in layers"
        out[name] = {"counts": rows, "per_layer": per_layer}
        full = rows[2]
        print(f"{name}: total {full['total']:,}  active {full['active']:,}  per layer {per_layer:,}")
    print(json.dumps({"transformers": transformers.__version__, "torch": torch.__version__, **out}, indent=1))


if __name__ == "__main__":
    main()
