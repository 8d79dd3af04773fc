"""Trace tensor names (the contract with the Java tests) and the recorder that hooks fill.

Shapes: T tokens, D hidden, H heads, E experts, K experts per token, V vocab, N generated tokens.
"""
import torch

FORMAT_VERSION = "1"


def layer_name(i, what):
    """what: attn_norm, attn.out, attn.probs, resid_mid, moe_norm, moe.router_logits, moe.router_probs,
    moe.selected_experts, moe.routing_weights, moe.out, resid_post."""
    return f"layers.{i}.{what}"


# name -> shape legend, for the README and for checks.
LEGEND = {
    "tokens": "[T] I64",
    "embed": "[T,D]",
    "layers.{i}.attn_norm": "[T,D]",
    "layers.{i}.attn.out": "[T,D]",
    "layers.{i}.attn.probs": "[H,T,T] (some cases only)",
    "layers.{i}.resid_mid": "[T,D]",
    "layers.{i}.moe_norm": "[T,D]",
    "layers.{i}.moe.router_logits": "[T,E]",
    "layers.{i}.moe.router_probs": "[T,E] (Hugging Face only)",
    "layers.{i}.moe.selected_experts": "[T,K] I64",
    "layers.{i}.moe.routing_weights": "[T,K]",
    "layers.{i}.moe.out": "[T,D]",
    "layers.{i}.resid_post": "[T,D]",
    "final_norm": "[T,D]",
    "logits": "[T,V]",
    "generated_tokens": "[N] I64",
    "generated_logits": "[N,V]",
}


class Recorder:
    """Collects named tensors (batch dimension of 1 dropped), plus calls intercepted inside a named scope."""

    def __init__(self):
        self.tensors = {}
        self.scope = None
        self.calls = []
        self.handles = []

    def put(self, name, t, batched=True):
        """batched: t has a leading batch dimension of 1, which is dropped."""
        if name in self.tensors:
            raise RuntimeError(f"{name} recorded twice")
        if batched:
            assert t.shape[0] == 1, (name, t.shape)
            t = t[0]
        self.tensors[name] = t.detach().clone()

    def output(self, module, name, pick=lambda out: out, batched=True):
        self.handles.append(module.register_forward_hook(lambda m, args, out: self.put(name, pick(out), batched)))

    def input(self, module, name):
        self.handles.append(module.register_forward_pre_hook(lambda m, args: self.put(name, args[0])))

    def scoped(self, first, last, scope, on_exit):
        """From just before module `first` runs until module `last` has run, intercepted calls are collected;
        on_exit(calls, output of last) then records them."""
        def enter(m, args):
            self.scope, self.calls = scope, []

        def leave(m, args, out):
            on_exit(self.calls, out)
            self.scope, self.calls = None, []

        self.handles.append(first.register_forward_pre_hook(enter))
        self.handles.append(last.register_forward_hook(leave))

    def remove(self):
        for h in self.handles:
            h.remove()
        self.handles = []


class Spy:
    """Stands in for a module-level name (e.g. `torch` or `F` inside a published module) and forwards every
    attribute to it, except the functions listed, whose results are also handed to the recorder while a scope
    is open. The published source is not changed; only the name it looks up at call time is."""

    def __init__(self, real, recorder, functions, children=None):
        self._real, self._recorder, self._functions = real, recorder, functions
        self._children = children or {}

    def __getattr__(self, attr):
        if attr in self._children:
            return self._children[attr]
        value = getattr(self._real, attr)
        if attr not in self._functions:
            return value
        recorder = self._recorder

        def spied(*args, **kwargs):
            result = value(*args, **kwargs)
            if recorder.scope is not None:
                recorder.calls.append((attr, result))
            return result

        return spied


def swap_global(module, name, replacement):
    """Replaces module.<name>; returns a function that puts the original back."""
    original = getattr(module, name)
    setattr(module, name, replacement)
    return lambda: setattr(module, name, original)


def margins(router_logits, k):
    """Per token: K-th largest minus (K+1)-th largest router logit (inf when K == E)."""
    E = router_logits.shape[-1]
    if k >= E:
        return torch.full(router_logits.shape[:-1], float("inf"))
    top = torch.topk(router_logits.double(), k + 1, dim=-1).values
    return top[..., k - 1] - top[..., k]
