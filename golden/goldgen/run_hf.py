"""Runs Hugging Face MixtralForCausalLM (eager attention, float32 unless asked otherwise) and records the trace with
hooks."""
import sys

import torch

from .trace import Recorder, Spy, layer_name, swap_global


def load(transformers, case_dir, dtype=torch.float32):
    model = transformers.MixtralForCausalLM.from_pretrained(
        str(case_dir), torch_dtype=dtype, attn_implementation="eager")
    model.eval()
    attn = type(model.model.layers[0].self_attn).__name__
    assert attn == "MixtralAttention", f"expected eager attention, got {attn}"
    return model


def trace(model, tokens, with_probs):
    """Prefill over `tokens` [T] with no cache; returns {trace name: tensor}."""
    modeling = sys.modules[type(model).__module__]
    rec = Recorder()
    # MixtralSparseMoeBlock computes the softmax, top-k and renormalisation inline; we watch the calls it makes
    # through the module-level names `F` and `torch` while the block runs.
    restore = [swap_global(modeling, "F", Spy(modeling.F, rec, {"softmax"})),
               swap_global(modeling, "torch", Spy(modeling.torch, rec, {"topk"}))]
    m = model.model
    rec.output(m.embed_tokens, "embed")
    for i, layer in enumerate(m.layers):
        rec.output(layer.input_layernorm, layer_name(i, "attn_norm"))
        rec.output(layer.self_attn, layer_name(i, "attn.out"), lambda o: o[0])
        if with_probs:
            rec.output(layer.self_attn, layer_name(i, "attn.probs"), lambda o: o[1])
        rec.input(layer.post_attention_layernorm, layer_name(i, "resid_mid"))
        rec.output(layer.post_attention_layernorm, layer_name(i, "moe_norm"))
        rec.output(layer.block_sparse_moe.gate, layer_name(i, "moe.router_logits"), batched=False)
        rec.scoped(layer.block_sparse_moe, layer.block_sparse_moe, i, lambda calls, out, i=i: _moe(rec, i, calls, out))
        rec.output(layer, layer_name(i, "resid_post"), lambda o: o[0])
    rec.output(m.norm, "final_norm")
    rec.output(model.lm_head, "logits")
    try:
        with torch.no_grad():
            out = model(tokens[None], output_attentions=with_probs, use_cache=False)
    finally:
        rec.remove()
        for r in restore:
            r()
    # MixtralForCausalLM returns lm_head's output cast to float32 (`logits.float()`): the same numbers in any dtype.
    assert torch.equal(out.logits[0], rec.tensors["logits"].float())
    return rec.tensors


def _moe(rec, i, calls, out):
    (n1, probs), (n2, (top_weights, selected)) = calls
    assert (n1, n2) == ("softmax", "topk"), calls
    rec.put(layer_name(i, "moe.router_probs"), probs, batched=False)
    # The block divides the top-k values by their sum in place (`routing_weights /= ...`), so by the time the
    # block returns, the tensor top-k gave back holds the renormalised routing weights it used.
    # It then casts them to the hidden states' dtype (`.to(hidden_states.dtype)`, a no-op in float32) and multiplies
    # the expert outputs by that copy; the same cast here gives the weights it applied.
    rec.put(layer_name(i, "moe.routing_weights"), top_weights.to(out[0].dtype), batched=False)
    rec.put(layer_name(i, "moe.selected_experts"), selected, batched=False)
    rec.put(layer_name(i, "moe.out"), out[0])


def generate(model, tokens, n):
    """Greedy generation with the published KV cache. Returns (new tokens [N], per-step logits [N,V])."""
    # A random model may emit the config's eos id (2). Passing eos_token_id=None to generate() is not enough in
    # 4.38: greedy_search falls back to model.generation_config.eos_token_id, so clear it there.
    model.generation_config.eos_token_id = None
    with torch.no_grad():
        out = model.generate(tokens[None], max_new_tokens=n, do_sample=False, eos_token_id=None,
                             use_cache=True, return_dict_in_generate=True, output_scores=True)
    new = out.sequences[0, tokens.shape[0]:]
    assert new.shape[0] == n, "generation stopped early"
    return new.clone(), torch.stack([s[0] for s in out.scores]).float()


def logits_without_cache(model, tokens):
    with torch.no_grad():
        return model(tokens[None], use_cache=False).logits[0].float()
