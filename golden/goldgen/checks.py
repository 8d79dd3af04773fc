"""Checks and statistics over recorded traces: what the trace format promises, how two implementations differ,
how close the router came to a tie. They read published outputs; they compute no model output themselves."""
import torch

from .trace import layer_name, margins


def max_abs_diff(a, b):
    return float((a.double() - b.double()).abs().max()) if a.numel() else 0.0


def compare(hf, ms, L, tokens=slice(None)):
    """Max |HF - Mistral| per float tensor both record, over the query tokens `tokens`, and per layer whether
    both chose the same experts (routing weights are compared only where they did)."""
    diffs, agree = {}, {}
    for name, a in hf.items():
        if name not in ms or name == "tokens" or name.endswith(("selected_experts", "routing_weights")):
            continue
        b = ms[name]
        if name.endswith("attn.probs"):  # [H,T,T]: queries are the middle axis
            diffs[name] = max_abs_diff(a[:, tokens, :], b[:, tokens, :])
        else:
            diffs[name] = max_abs_diff(a[tokens], b[tokens])
    for i in range(L):
        same = torch.equal(hf[layer_name(i, "moe.selected_experts")][tokens],
                           ms[layer_name(i, "moe.selected_experts")][tokens])
        agree[f"layers.{i}"] = same
        if same:
            name = layer_name(i, "moe.routing_weights")
            diffs[name] = max_abs_diff(hf[name][tokens], ms[name][tokens])
    return diffs, agree


def min_router_margin(trace, d):
    return min(float(margins(trace[layer_name(i, "moe.router_logits")], d.K).min()) for i in range(d.L))


def routing_stats(trace, d):
    stats = {}
    for i in range(d.L):
        m = margins(trace[layer_name(i, "moe.router_logits")], d.K)
        sel = trace[layer_name(i, "moe.selected_experts")].tolist()
        stats[f"layers.{i}"] = {
            "min_margin_k_vs_k_plus_1": float(m.min()),
            "token_of_min_margin": int(m.argmin()),
            "distinct_expert_sets": len({tuple(sorted(r)) for r in sel}),
            "experts_used": sorted({e for r in sel for e in r}),
        }
    return stats


def trace_invariants(trace, d):
    """Properties of the recorded published tensors that the trace format promises."""
    for i in range(d.L):
        w = trace[layer_name(i, "moe.routing_weights")]
        ones = torch.ones(w.shape[0])
        assert torch.allclose(w.sum(-1), ones, atol=1e-6), "routing weights must sum to 1"
        assert (w[:, :-1] >= w[:, 1:]).all(), "routing weights must be ordered highest first"
        assert torch.allclose(trace[layer_name(i, "moe.router_probs")].sum(-1), ones, atol=1e-6)
        resid_mid = trace[layer_name(i, "resid_mid")]
        before = trace["embed"] if i == 0 else trace[layer_name(i - 1, "resid_post")]
        assert torch.allclose(resid_mid, before + trace[layer_name(i, "attn.out")], atol=1e-6)
        assert torch.allclose(trace[layer_name(i, "resid_post")], resid_mid + trace[layer_name(i, "moe.out")], atol=1e-6)


def attention_visibility(trace, d, T):
    """Which keys each query attends to, read off the recorded probabilities (> 0), asserted against the rule
    j <= i, plus i - w < j when the config has a sliding window w. Returns the rule as text."""
    i = torch.arange(T)[:, None]
    j = torch.arange(T)[None, :]
    expected = j <= i
    rule = "causal: query i attends keys 0 <= j <= i"
    if d.sliding_window is not None:
        expected &= j > i - d.sliding_window
        rule = (f"causal sliding window w={d.sliding_window}: query i attends keys i - w < j <= i "
                f"(w keys, itself included)")
    for layer in range(d.L):
        seen = trace[layer_name(layer, "attn.probs")] > 0  # [H,T,T]
        assert torch.equal(seen, expected.expand_as(seen)), f"layer {layer}: attention pattern is not '{rule}'"
    return rule + " (checked on the recorded attention probabilities)"


def kv_cache_check(full_logits, step_logits, generated, T):
    """Cached generation vs one no-cache forward over prompt + generated tokens (both from the published model):
    row T-1+n of the latter predicts generated token n."""
    rows = full_logits[T - 1:-1]
    top2 = torch.topk(step_logits.double(), 2, dim=-1).values
    return {
        "greedy_tokens_equal": torch.equal(rows.argmax(-1), generated),
        "max_abs_diff_step_logits_vs_full_forward": max_abs_diff(rows, step_logits),
        "min_gap_top1_top2_logit_over_steps": float((top2[:, 0] - top2[:, 1]).min()),
    }
