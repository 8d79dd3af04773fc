#!/usr/bin/env python3
"""The published Hugging Face Mixtral in bfloat16 against our float32 reference, on the prompts of golden cases:
the tables of docs/engines.md ("The published implementation in bfloat16"). A float32 run of the same engine script
is the control. Every number comes from `./mixtral compare A B --model DIR --json` (the engine's routing replayed
through the reference); this script only runs the engines and adds the reports up.

Usage: hf_bf16_study.py [--model DIR] [--cases DIR] [--work DIR] [--markdown FILE]
Shapes: T tokens, E experts, K experts per token.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import engine_hf_bf16 as engine  # noqa: E402  (exits with one line when torch is missing)

from goldgen.trace import layer_name, margins  # noqa: E402

DEMO_MODEL = ROOT / "reference" / "src" / "main" / "resources" / "demo-model"
MARGIN_EDGES = (1e-3, 1e-2, 1e-1, 1.0)  # upper edges of the router-margin bins, as ./mixtral engine-study
# What is run and how it is compared: (label, dtype, mutation, (atol, rtol, tie margin)). bf16 keeps 8 significant
# bits (relative step 2^-8 = 0.0039), so 1e-2 is about three bf16 steps; the residual stream reaches ~390, and after
# six layers bf16's absolute errors reach ~0.4, hence the loose row. The float32 control is held to compare's defaults
# and to 1e-5. The mutant (a checkpoint-conversion bug) must fail even the loose bf16 tolerance.
RUNS = (
    ("bf16", "bf16", None, ("1e-2", "1e-2", "1e-2")),
    ("bf16 loose", "bf16", None, ("0.5", "1e-2", "1e-2")),
    ("f32 control", "f32", None, ("1e-4", "1e-4", "1e-4")),
    ("f32 control 1e-5", "f32", None, ("1e-5", "1e-5", "1e-4")),
    ("bf16 mutant: q/k rows interleaved", "bf16", "rope", ("0.5", "1e-2", "1e-2")),
)


def tokens_of(case_dir):
    from safetensors.torch import load_file  # after engine's import: installed package or our stand-in

    return load_file(str(case_dir / "golden.safetensors"))["tokens"].tolist()


def mixtral(*args):
    """./mixtral with args; its exit code 1 (outside tolerance) is an answer, 2 (bad input) is not."""
    out = subprocess.run([str(ROOT / "mixtral"), *map(str, args)], cwd=ROOT, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"hf_bf16_study.py: ./mixtral {args[0]} failed ({out.returncode}): {out.stderr.strip()}")
    return out.stdout


def reference_margins(ref_path, k):
    """Router margin of every (layer, token) of the reference trace: K-th minus (K+1)-th router logit."""
    from safetensors.torch import load_file

    ref = load_file(str(ref_path))
    layers = sum(1 for n in ref if n.endswith("moe.router_logits"))
    return [float(m) for i in range(layers) for m in margins(ref[layer_name(i, "moe.router_logits")], k)]


def bin_of(margin):
    return sum(margin >= e for e in MARGIN_EDGES)


def interleave_qk(model):
    """The classic conversion bug, in memory: query and key rows in Mistral's interleaved RoPE order
    (row h*Hd + 2i + a holds Hugging Face's row h*Hd + a*Hd/2 + i) while the model rotates halves."""
    for layer in model.model.layers:
        attn = layer.self_attn
        for proj, heads in ((attn.q_proj, attn.num_heads), (attn.k_proj, attn.num_key_value_heads)):
            w = proj.weight.data
            hd = w.shape[0] // heads
            w.copy_(w.view(heads, 2, hd // 2, -1).transpose(1, 2).reshape(w.shape))
    return model


def run(model_dir, cases, work):
    """{label: [(case, report, margins)]}, one compare report per case and run of RUNS."""
    transformers = engine.import_transformers()
    config = json.loads((model_dir / "config.json").read_text())
    models = {(d, mut): engine.load(transformers, model_dir, d) for _, d, mut, _ in RUNS}
    for (d, mut), model in models.items():
        if mut == "rope":
            interleave_qk(model)
    runs = {label: [] for label, *_ in RUNS}
    for case in cases:
        written = set()
        tokens = tokens_of(case)
        ids = ",".join(map(str, tokens))
        ref = work / f"{case.name}.ref.safetensors"
        mixtral("trace", "--model", model_dir, "--tokens", ids, "--out", ref)
        m = reference_margins(ref, config["num_experts_per_tok"])
        for label, dtype, mut, (atol, rtol, tie) in RUNS:
            out = work / f"{case.name}.{dtype}{'.' + mut if mut else ''}.safetensors"
            if out not in written:
                written.add(out)
                engine.write(*engine.trace(transformers, models[(dtype, mut)], model_dir, tokens, dtype), out)
            report = json.loads(mixtral("compare", ref, out, "--model", model_dir, "--json",
                                        "--atol", atol, "--rtol", rtol, "--tie-margin", tie))
            (work / f"{case.name}.{label.split(':')[0].replace(' ', '_')}.json").write_text(json.dumps(report, indent=1))
            runs[label].append((case.name, report, m))
    return runs, engine.engine_name(transformers, "").strip()


def summary(runs):
    layers = len(next(iter(runs.values()))[0][1]["routing"])
    head = "| run | tolerance (atol, rtol, tie margin) | tokens | KL mean (nats) | KL max | top-1 agreement |"
    head += "".join(f" same experts L{i} |" for i in range(layers))
    head += " wrong decisions | max scaled error | tensors outside / compared | prompts passed |\n"
    lines = [head, "|---|---|---|---|---|---|" + "---|" * layers + "---|---|---|---|\n"]
    for label, rs in runs.items():
        tokens = sum(r["logits"]["tokens"] for _, r, _ in rs)
        kl = sum(r["logits"]["meanKl"] * r["logits"]["tokens"] for _, r, _ in rs) / tokens
        kl_max = max(r["logits"]["maxKl"] for _, r, _ in rs)
        top1 = sum(r["logits"]["top1Agreement"] * r["logits"]["tokens"] for _, r, _ in rs) / tokens
        same = [sum(r["routing"][i]["sameExperts"] for _, r, _ in rs) / sum(r["routing"][i]["tokens"] for _, r, _ in rs)
                for i in range(layers)]
        wrong = sum(len(r["wrongDecisions"]) for _, r, _ in rs)
        scaled = max(t["scaledMaxError"] for _, r, _ in rs for t in r["tensors"])
        outside = sum(not t["within"] for _, r, _ in rs for t in r["tensors"])
        compared = sum(len(r["tensors"]) for _, r, _ in rs)
        passed = sum(r["passed"] for _, r, _ in rs)
        tol = ", ".join(next(t for name, *_, t in RUNS if name == label))
        lines.append(f"| {label} | {tol} | {tokens} | {kl:.2e} | {kl_max:.2e} | {100 * top1:.1f}% |"
                     + "".join(f" {100 * s:.1f}% |" for s in same)
                     + f" {wrong} | {scaled:.1e} | {outside} / {compared} | {passed} / {len(rs)} |\n")
    return "".join(lines)


def flips_by_margin(runs):
    lines = ["| run | margin < 1e-3 | 1e-3 to 1e-2 | 1e-2 to 0.1 | 0.1 to 1 | >= 1 |\n", "|---|---|---|---|---|---|\n"]
    for label, rs in runs.items():
        flips, all_ = [0] * (len(MARGIN_EDGES) + 1), [0] * (len(MARGIN_EDGES) + 1)
        for _, r, m in rs:
            for x in m:
                all_[bin_of(x)] += 1
            for f in r["flips"]:
                flips[bin_of(f["margin"])] += 1
        lines.append(f"| {label} |" + "".join(f" {f} / {a} |" for f, a in zip(flips, all_)) + "\n")
    return "".join(lines)


def per_prompt(runs):
    labels = list(runs)
    lines = ["| prompt | tokens |" + "".join(f" {label} |" for label in labels) + "\n",
             "|---|---|" + "---|" * len(labels) + "\n"]
    for j, (case, report, _) in enumerate(runs[labels[0]]):
        row = f"| {case} | {report['logits']['tokens']} |"
        for label in labels:
            r = runs[label][j][1]
            first = r["first"]
            cell = f"{first['tensor']}, token {first['token']}" if first else "none"
            flips = ", ".join(f"L{f['layer']} t{f['token']} {f['expectedExperts']}->{f['actualExperts']} "
                              f"({f['margin']:.1e}{', tie' if f['tie'] else ''})" for f in r["flips"])
            row += f" {cell}{'; flips ' + flips if flips else ''} |" if len(r["flips"]) <= 2 else \
                f" {cell}; {len(r['flips'])} flips |"
        lines.append(row + "\n")
    return "".join(lines)


def check(runs):
    """The study means something only if the control agrees and the mutant is caught."""
    control = runs["f32 control"]
    if not all(r["passed"] and not r["flips"] for _, r, _ in control):
        sys.exit("hf_bf16_study.py: the float32 control does not agree with the reference: see the table above")
    caught = [r["passed"] for label, rs in runs.items() if "mutant" in label for _, r, _ in rs]
    if any(caught):
        sys.exit("hf_bf16_study.py: a mutant passed the bf16 tolerance: the tolerance is too loose to mean anything")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=DEMO_MODEL, help="Hugging Face-layout checkpoint folder")
    ap.add_argument("--cases", type=Path, default=HERE / "cases" / "trained",
                    help="folder of case folders, each with a golden.safetensors holding its tokens")
    ap.add_argument("--work", type=Path, help="keep the traces and compare reports here (default: a temporary folder)")
    ap.add_argument("--markdown", type=Path, help="also write the tables to FILE")
    args = ap.parse_args()
    cases = sorted(c for c in args.cases.iterdir() if (c / "golden.safetensors").is_file()) if args.cases.is_dir() else []
    if not cases:
        engine.bad_input(f"{args.cases}: no case folder with a golden.safetensors")
    engine.torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        runs, versions = run(args.model.resolve(), cases, work)
    md = (summary(runs) + "\nFlipped expert sets / routing decisions, by the reference's router margin:\n\n"
          + flips_by_margin(runs) + "\nPer prompt: first divergence beyond the tolerance; flips as layer, token, "
          + "reference experts -> engine experts (reference margin):\n\n" + per_prompt(runs))
    print(md)
    check(runs)
    print(f"{len(cases)} prompts: {', '.join(c.name for c in cases)}; {versions}; weights of {args.model}")
    if args.markdown:
        args.markdown.write_text(md)


if __name__ == "__main__":
    main()
