#!/usr/bin/env python3
"""Writes golden/cases/trained/<case>/: what the PUBLISHED implementation computes on the trained demo model, one
prompt per corpus group (see README.md, "Golden cases for the trained demo model").

Usage: generate_trained.py [--model DIR]   (default: reference/src/main/resources/demo-model)"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before torch is imported: one thread, reproducible sums

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from goldgen import published  # noqa: E402  (sets up the import paths for the published code)

transformers = published.import_transformers()
mistral_ref = published.import_mistral_ref()

import sentencepiece as spm  # noqa: E402  (after transformers: see published.import_transformers)
from safetensors.torch import save_file  # noqa: E402  (installed package, or our stand-in in shims/)

from goldgen import checks, run_hf, trained  # noqa: E402
from goldgen.trace import FORMAT_VERSION  # noqa: E402

OUT = HERE / "cases" / "trained"
DEMO_MODEL = ROOT / "reference" / "src" / "main" / "resources" / "demo-model"
FILES = ("config.json", "model.safetensors", "tokenizer.model")


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shown(path):
    """The folder relative to the repository root when inside it (so case.json does not name this machine)."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def run_case(case, model, sp, d, model_info, provenance):
    rejected = {}
    for prompt in case.prompts:
        tokens = torch.tensor(sp.encode(prompt.text, add_bos=True), dtype=torch.int64)
        hf, stats, why_not = trained.run(model, d, tokens)
        if why_not is None:
            break
        rejected[prompt.text] = why_not
    else:
        raise SystemExit(f"{case.name}: no acceptable prompt: {rejected}; add one to goldgen/trained.py")

    checks.trace_invariants(hf, d)
    generated = hf["generated_tokens"]
    full = run_hf.logits_without_cache(model, torch.cat([tokens, generated]))
    routing = checks.routing_stats(hf, d)
    case_dir = OUT / case.name
    case_dir.mkdir(parents=True, exist_ok=True)
    meta = {"format_version": FORMAT_VERSION, "case": f"trained/{case.name}",
            "producer": f"transformers {provenance['transformers']['version']} MixtralForCausalLM eager float32",
            "torch": provenance["torch"], "model_sha256": model_info["model.safetensors_sha256"]}
    save_file(trained.kept(hf, d.L), str(case_dir / "golden.safetensors"), metadata=meta)
    info = {
        "case": f"trained/{case.name}",
        "group": case.group,
        "style": prompt.style,
        "text": prompt.text,
        "why": f"the trained demo model on a prompt of corpus group {case.group!r}, in the style of {prompt.style}",
        "format_version": FORMAT_VERSION,
        "model": model_info,
        "dims": {**d.__dict__, "Hd": d.Hd},
        "compute_dtype": "float32 (bfloat16 weights upcast to float32 on load)",
        "tokenizer": {"library": f"sentencepiece {spm.__version__}", "bos_first": True},
        "inputs": {"tokens": tokens.tolist(), "pieces": [sp.id_to_piece(i) for i in tokens.tolist()]},
        "prompts_rejected": rejected,
        "max_new_tokens": trained.N,
        "generated_tokens": generated.tolist(),
        "generated_text": sp.decode(generated.tolist()),
        "recorded": sorted(trained.kept(hf, d.L)),
        "not_recorded": "logits [T,V] (generated_logits row 0 is the last prompt token's), embed, attn_norm, attn.out, "
                        "resid_mid, moe_norm, moe.out, final_norm, attn.probs: to keep the files small",
        "golden_from": "Hugging Face MixtralForCausalLM (every tensor in golden.safetensors)",
        "implementations": provenance,
        "kv_cache_check": checks.kv_cache_check(full, hf["generated_logits"], generated, tokens.shape[0]),
        "cross_implementation": trained.cross_check(mistral_ref, model, d, hf),
        "router": routing,
        **stats,
    }
    (case_dir / "case.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=DEMO_MODEL,
                    help="folder with config.json, model.safetensors (Hugging Face layout) and tokenizer.model")
    args = ap.parse_args()
    missing = [f for f in FILES if not (args.model / f).is_file()]
    if missing:
        raise SystemExit(f"{args.model} lacks {', '.join(missing)}")
    torch.set_num_threads(1)
    provenance = published.describe(transformers, mistral_ref)
    config = json.loads((args.model / "config.json").read_text())
    d = trained.dims(config)
    model_info = {"folder": shown(args.model), **{f"{f}_sha256": sha256(args.model / f) for f in FILES}}
    model = run_hf.load(transformers, args.model)
    sp = spm.SentencePieceProcessor(model_file=str(args.model / "tokenizer.model"))
    if OUT.exists():
        shutil.rmtree(OUT)  # a case dropped from the list must not linger
    for case in trained.CASES:
        info = run_case(case, model, sp, d, model_info, provenance)
        cross = info["cross_implementation"]
        print(f"trained/{case.name:12s} {len(info['inputs']['tokens']):2d} tokens  "
              f"logits diff HF vs Mistral {cross['max_abs_diff_logits']:.2g}  "
              f"experts equal {all(cross['selected_experts_equal'].values())!s:5s} "
              f"min margin {info['min_router_margin']:.3g}  min gap {info['min_greedy_logit_gap']:.3g}  "
              f"kv ok {info['kv_cache_check']['greedy_tokens_equal']}  -> {info['generated_text']!r}")
    print(f"model {model_info['model.safetensors_sha256']}")


if __name__ == "__main__":
    main()
