"""Runs Mistral's moe_one_file_ref.py (commit 8598cf5) in float32 on the Mistral-native checkpoint and records
the same trace names with hooks.

Its `Transformer.from_folder` reads consolidated.00.pth with torch>=2.1 arguments and `demo`/`generate` need a
tokenizer and CUDA, so we build `Transformer(ModelArgs)` and call its own `load_state_dict`, and we drive greedy
decoding the way its `generate` does (prefill, then one token per call at position cur_pos, using its cache).

TransformerBlock calls `self.attention.forward(...)` and `self.feed_forward.forward(...)` directly, which
bypasses module hooks, so we hook their first and last submodules instead: attention runs from `wq` to `wo`
(whose output is the attention output), the MoE layer from `gate` to the end of the block.
"""
import json

import torch
from safetensors.torch import load_file

from .trace import Recorder, Spy, layer_name, swap_global


def load(ref, mistral_dir, max_seq_len):
    params = json.loads((mistral_dir / "params.json").read_text())
    return build(ref, params, load_file(str(mistral_dir / "consolidated.safetensors")), max_seq_len)


def build(ref, params, state_dict, max_seq_len):
    """The reference Transformer for params.json fields `params` with the Mistral-native weights `state_dict`."""
    params = dict(params)
    # Its ModelArgs has no rope_theta (theta is fixed at 1e6) and no sliding_window; drop them.
    assert params.pop("rope_theta") == 1e6, "moe_one_file_ref.py hard-codes rope theta 1e6"
    params.pop("sliding_window", None)
    moe = ref.MoeArgs(**params.pop("moe"))
    args = ref.ModelArgs(**params, moe=moe, max_batch_size=1, max_seq_len=max_seq_len)
    torch.manual_seed(0)  # the constructor's random init is overwritten below; seeded only for tidiness
    model = ref.Transformer(args)
    model.load_state_dict(state_dict)  # strict, upcasts bf16
    return model.float().eval()


def trace(ref, model, tokens, with_probs):
    rec = Recorder()
    # Attention.forward and MoeLayer.forward call nn.functional.softmax, torch.topk and torch.zeros_like inline.
    restore = [swap_global(ref, "torch", Spy(torch, rec, {"topk", "zeros_like"})),
               swap_global(ref, "nn", Spy(torch.nn, rec, set(),
                                          {"functional": Spy(torch.nn.functional, rec, {"softmax"})}))]
    rec.output(model.tok_embeddings, "embed")
    for key, layer in model.layers.items():
        i = int(key)
        att, ffn = layer.attention, layer.feed_forward
        rec.output(layer.attention_norm, layer_name(i, "attn_norm"))
        rec.scoped(att.wq, att.wo, ("attn", i), lambda calls, out, i=i: _attn(rec, i, calls, out, with_probs))
        rec.input(layer.ffn_norm, layer_name(i, "resid_mid"))
        rec.output(layer.ffn_norm, layer_name(i, "moe_norm"))
        rec.output(ffn.gate, layer_name(i, "moe.router_logits"), batched=False)
        rec.scoped(ffn.gate, layer, ("moe", i), lambda calls, out, i=i: _moe(rec, i, calls))
        rec.output(layer, layer_name(i, "resid_post"))
    rec.output(model.norm, "final_norm")
    rec.output(model.output, "logits")
    try:
        with torch.no_grad():
            logits = model.forward(tokens[None], torch.arange(tokens.shape[0]))
    finally:
        rec.remove()
        for r in restore:
            r()
    assert torch.equal(logits[0], rec.tensors["logits"])
    return rec.tensors


def _attn(rec, i, calls, out, with_probs):
    ((name, probs),) = calls
    assert name == "softmax"
    if with_probs:
        rec.put(layer_name(i, "attn.probs"), probs)
    rec.put(layer_name(i, "attn.out"), out)


def _moe(rec, i, calls):
    (n1, (_, selected)), (n2, weights), (n3, results) = calls
    assert (n1, n2, n3) == ("topk", "softmax", "zeros_like"), [c[0] for c in calls]
    rec.put(layer_name(i, "moe.selected_experts"), selected, batched=False)
    rec.put(layer_name(i, "moe.routing_weights"), weights, batched=False)
    # MoeLayer accumulates the expert outputs into the tensor zeros_like gave it (`results[batch_idx] += ...`)
    # and returns a view of it, so once the block has run that tensor holds the MoE output [T,D].
    rec.put(layer_name(i, "moe.out"), results, batched=False)


def generate(model, tokens, n):
    """Greedy decoding as moe_one_file_ref.generate does it. Returns (new tokens [N], per-step logits [N,V])."""
    T = tokens.shape[0]
    new, steps = [], []
    with torch.no_grad():
        logits = model.forward(tokens[None], torch.arange(T))
        for cur_pos in range(T, T + n):
            steps.append(logits[0, -1])
            next_token = torch.argmax(logits[:, -1, :], dim=-1)
            new.append(next_token)
            if cur_pos < T + n - 1:
                logits = model.forward(next_token[:, None], torch.LongTensor([cur_pos]))
    return torch.cat(new), torch.stack(steps)
