#!/usr/bin/env python3
"""A quick look, with the published implementation, at whether a model from train.py routes by language: the mutual
information between each layer's first-choice expert and the token's group (en, fr, de, es, it, code), on held-out
text, beside the same for the untrained model of the same shape and seed (random weights route by token identity,
so they also score above zero).

Run from the repository root:  /usr/bin/python3 trained-model/routing_preview.py --model trained-model/out
A monitor for training runs, not the issue's evidence: that is to be computed by our Java reference.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np
import sentencepiece as spm
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import train  # noqa: E402  (corpus, tokenizer, seed and the import of the published implementation)


def first_choice_counts(model, held, layers, experts, windows):
    """[L, groups, E] how often each expert was a token's first choice, BOS left out."""
    counts = np.zeros((layers, len(train.GROUPS), experts))
    with torch.no_grad():
        for g, group in enumerate(train.GROUPS):
            for name in held.groups[group]:
                for w in held.windows(name, 256, windows):
                    out = model(input_ids=torch.from_numpy(w.astype(np.int64))[None], output_router_logits=True)
                    for layer, logits in enumerate(out.router_logits):          # [T, E]
                        counts[layer, g] += np.bincount(logits.argmax(-1).numpy()[1:], minlength=experts)
    return counts


def mutual_information_bits(joint_counts):
    p = joint_counts / joint_counts.sum()                                        # [groups, E]
    independent = p.sum(1, keepdims=True) * p.sum(0, keepdims=True)
    nz = p > 0
    return float(np.sum(p[nz] * np.log2(p[nz] / independent[nz])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True, help="folder written by train.py")
    ap.add_argument("--windows", type=int, default=4, help="held-out windows of 256 tokens per source")
    args = ap.parse_args()
    if not (args.model / "model.safetensors").exists():
        ap.error(f"{args.model} holds no model.safetensors: run trained-model/train.py first")
    transformers = train.import_transformers()
    from safetensors.torch import load_file
    torch.set_num_threads(2)
    cfg = json.loads((args.model / "config.json").read_text())
    config = transformers.MixtralConfig(**{k: v for k, v in cfg.items() if k not in ("head_dim", "torch_dtype")},
                                        attn_implementation="eager")
    sp = spm.SentencePieceProcessor(model_file=str(args.model / "tokenizer.model"))
    held = train.Corpus(train.HELDOUT, sp, json.loads(train.MANIFEST.read_text(encoding="utf-8"))["sources"])
    torch.manual_seed(train.SEED)  # train.py's initial weights
    untrained = transformers.MixtralForCausalLM(config).eval()
    trained = transformers.MixtralForCausalLM(config).eval()
    trained.load_state_dict({k: v.float() for k, v in load_file(str(args.model / "model.safetensors")).items()})
    L, E = config.num_hidden_layers, config.num_local_experts
    before = first_choice_counts(untrained, held, L, E, args.windows)
    after = first_choice_counts(trained, held, L, E, args.windows)
    print(f"mutual information (bits) between first-choice expert and group; at most log2(6) = {np.log2(6):.2f}")
    print("layer  untrained  trained")
    for layer in range(L):
        print(f"{layer:5d}  {mutual_information_bits(before[layer]):9.3f}  {mutual_information_bits(after[layer]):7.3f}")
    best = max(range(L), key=lambda l: mutual_information_bits(after[l]))
    print(f"layer {best}, share of first choices per expert:")
    print("       " + " ".join(f"{e:5d}" for e in range(E)))
    for g, group in enumerate(train.GROUPS):
        share = after[best, g] / after[best, g].sum()
        print(f"{group:5s}  " + " ".join(f"{s:5.2f}" for s in share))


if __name__ == "__main__":
    main()
