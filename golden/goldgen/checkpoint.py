"""Tiny random Mixtral checkpoints in both published layouts.

Hugging Face layout: config.json + model.safetensors (keys as MixtralForCausalLM names its parameters).
Mistral-native layout: mistral/params.json + mistral/consolidated.safetensors (keys as moe_one_file_ref.py's
Transformer names its parameters, which are the names in Mistral's released consolidated files), with the rows
of wq and wk permuted from rotate-half RoPE pairs (i, i + Hd/2) to interleaved pairs (2i, 2i + 1).
Weights are stored [out, in] in both.
"""
import json
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import save_file


@dataclass(frozen=True)
class Dims:
    D: int          # hidden size
    H: int          # query heads
    KV: int         # key/value heads
    F: int          # expert hidden size
    E: int          # experts
    K: int          # experts per token
    V: int          # vocabulary
    L: int          # layers
    rope_theta: float = 1e6
    sliding_window: int = None
    rms_norm_eps: float = 1e-5
    max_position_embeddings: int = 1024

    @property
    def Hd(self):
        return self.D // self.H


def hf_key(name, i=None, j=None):
    """The one place that spells Hugging Face checkpoint keys."""
    layer = f"model.layers.{i}."
    return {
        "embed": "model.embed_tokens.weight",
        "wq": layer + "self_attn.q_proj.weight",
        "wk": layer + "self_attn.k_proj.weight",
        "wv": layer + "self_attn.v_proj.weight",
        "wo": layer + "self_attn.o_proj.weight",
        "attn_norm": layer + "input_layernorm.weight",
        "moe_norm": layer + "post_attention_layernorm.weight",
        "gate": layer + "block_sparse_moe.gate.weight",
        "w1": layer + f"block_sparse_moe.experts.{j}.w1.weight",
        "w2": layer + f"block_sparse_moe.experts.{j}.w2.weight",
        "w3": layer + f"block_sparse_moe.experts.{j}.w3.weight",
        "norm": "model.norm.weight",
        "output": "lm_head.weight",
    }[name]


def mistral_key(name, i=None, j=None):
    """The one place that spells Mistral-native checkpoint keys."""
    layer = f"layers.{i}."
    return {
        "embed": "tok_embeddings.weight",
        "wq": layer + "attention.wq.weight",
        "wk": layer + "attention.wk.weight",
        "wv": layer + "attention.wv.weight",
        "wo": layer + "attention.wo.weight",
        "attn_norm": layer + "attention_norm.weight",
        "moe_norm": layer + "ffn_norm.weight",
        "gate": layer + "feed_forward.gate.weight",
        "w1": layer + f"feed_forward.experts.{j}.w1.weight",
        "w2": layer + f"feed_forward.experts.{j}.w2.weight",
        "w3": layer + f"feed_forward.experts.{j}.w3.weight",
        "norm": "norm.weight",
        "output": "output.weight",
    }[name]


def parameter_names(d: Dims):
    """(name, layer, expert) for every tensor, in reading order."""
    yield "embed", None, None
    for i in range(d.L):
        for n in ("attn_norm", "wq", "wk", "wv", "wo", "moe_norm", "gate"):
            yield n, i, None
        for j in range(d.E):
            for n in ("w1", "w2", "w3"):
                yield n, i, j
    yield "norm", None, None
    yield "output", None, None


def random_weights(d: Dims, seed: int, gate_scale: float = 1.0):
    """HF-layout float32 weights. Linear layers ~ N(0, 1/in) so activations stay O(1); norm weights uniform in
    [0.5, 1.5] so a missing or misplaced norm weight shows; gate_scale widens the router logits."""
    g = torch.Generator().manual_seed(seed)
    shapes = {
        "embed": (d.V, d.D), "wq": (d.H * d.Hd, d.D), "wk": (d.KV * d.Hd, d.D), "wv": (d.KV * d.Hd, d.D),
        "wo": (d.D, d.H * d.Hd), "gate": (d.E, d.D), "w1": (d.F, d.D), "w2": (d.D, d.F), "w3": (d.F, d.D),
        "output": (d.V, d.D), "attn_norm": (d.D,), "moe_norm": (d.D,), "norm": (d.D,),
    }
    weights = {}
    for name, i, j in parameter_names(d):
        shape = shapes[name]
        if len(shape) == 1:
            w = 0.5 + torch.rand(shape, generator=g)
        elif name == "embed":
            w = torch.randn(shape, generator=g)
        else:
            w = torch.randn(shape, generator=g) / shape[1] ** 0.5
            if name == "gate":
                w = w * gate_scale
        weights[hf_key(name, i, j)] = w
    return weights


def interleave_rope_rows(w, n_heads, head_dim):
    """HF (rotate-half) rows -> Mistral-native (interleaved) rows: native[h*Hd + 2i + a] = hf[h*Hd + a*Hd/2 + i]."""
    dim_in = w.shape[1]
    return w.reshape(n_heads, 2, head_dim // 2, dim_in).transpose(1, 2).reshape(n_heads * head_dim, dim_in)


def to_mistral_native(weights, d: Dims):
    native = {}
    for name, i, j in parameter_names(d):
        w = weights[hf_key(name, i, j)]
        if name == "wq":
            w = interleave_rope_rows(w, d.H, d.Hd)
        elif name == "wk":
            w = interleave_rope_rows(w, d.KV, d.Hd)
        native[mistral_key(name, i, j)] = w.contiguous()
    return native


def hf_config(d: Dims, dtype: str):
    return {
        "architectures": ["MixtralForCausalLM"],
        "model_type": "mixtral",
        "vocab_size": d.V,
        "hidden_size": d.D,
        "intermediate_size": d.F,
        "num_hidden_layers": d.L,
        "num_attention_heads": d.H,
        "num_key_value_heads": d.KV,
        "num_local_experts": d.E,
        "num_experts_per_tok": d.K,
        "hidden_act": "silu",
        "rms_norm_eps": d.rms_norm_eps,
        "rope_theta": d.rope_theta,
        "sliding_window": d.sliding_window,
        "max_position_embeddings": d.max_position_embeddings,
        "tie_word_embeddings": False,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "torch_dtype": dtype,
    }


def mistral_params(d: Dims):
    """params.json in Mistral's field names. rope_theta is always written (mistral-inference's package model reads
    it, and guesses 1e6 without a sliding window and 1e4 with one when it is absent); sliding_window only when set.
    moe_one_file_ref.py knows neither: it hard-codes theta = 1e6 and has no sliding window."""
    params = {
        "dim": d.D,
        "n_layers": d.L,
        "head_dim": d.Hd,
        "hidden_dim": d.F,
        "n_heads": d.H,
        "n_kv_heads": d.KV,
        "norm_eps": d.rms_norm_eps,
        "vocab_size": d.V,
        "rope_theta": d.rope_theta,
        "moe": {"num_experts": d.E, "num_experts_per_tok": d.K},
    }
    if d.sliding_window is not None:
        params["sliding_window"] = d.sliding_window
    return params


def write_json(path, obj):
    Path(path).write_text(json.dumps(obj, indent=2) + "\n")


def write_checkpoints(case_dir: Path, d: Dims, weights, dtype: torch.dtype):
    """Writes both layouts; weights are cast to `dtype` for storage. Returns the stored (HF) tensors."""
    name = {torch.float32: "float32", torch.bfloat16: "bfloat16"}[dtype]
    stored = {k: v.to(dtype).contiguous() for k, v in weights.items()}
    write_json(case_dir / "config.json", hf_config(d, name))
    save_file(stored, str(case_dir / "model.safetensors"), metadata={"format": "pt"})
    (case_dir / "mistral").mkdir(exist_ok=True)
    write_json(case_dir / "mistral" / "params.json", mistral_params(d))
    save_file(to_mistral_native(stored, d), str(case_dir / "mistral" / "consolidated.safetensors"),
              metadata={"format": "pt"})
    return stored
