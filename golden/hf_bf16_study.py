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
# Per compute dtype: compare's tolerances. bf16 keeps 8 significant bits (relative step 2^-8 = 0.0039), so 1e-2 is
# about three bf16 steps; the float32 control is held to compare's defaults.
TOLERANCES = {"bf16": ("1e-2", "1e-2", "1e-2"), "f32": ("1e-4", "1e-4", "1e-4")}


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


def run(model_dir, cases, work):
    """{dtype: [(case, report, margins)]}, one compare report per case and dtype."""
    transformers = engine.import_transformers()
    config = json.loads((model_dir / "config.json").read_text())
    models = {d: engine.load(transformers, model_dir, d) for d in TOLERANCES}
    runs = {d: [] for d in TOLERANCES}
    for case in cases:
        tokens = tokens_of(case)
        ids = ",".join(map(str, tokens))
        ref = work / f"{case.name}.ref.safetensors"
        mixtral("trace", "--model", model_dir, "--tokens", ids, "--out", ref)
        m = reference_margins(ref, config["num_experts_per_tok"])
        for dtype, (atol, rtol, tie) in TOLERANCES.items():
            out = work / f"{case.name}.{dtype}.safetensors"
            engine.write(*engine.trace(transformers, models[dtype], model_dir, tokens, dtype), out)
            report = json.loads(mixtral("compare", ref, out, "--model", model_dir, "--json",
                                        "--atol", atol, "--rtol", rtol, "--tie-margin", tie))
            (work / f"{case.name}.{dtype}.json").write_text(json.dumps(report, indent=1))
            runs[dtype].append((case.name, report, m))
    return runs, engine.engine_name(transformers, "").strip()


def summary(runs):
    layers = len(next(iter(runs.values()))[0][1]["routing"])
    head = "| dtype | tolerance (atol, rtol, tie margin) | tokens | KL mean (nats) | KL max | top-1 agreement |"
    head += "".join(f" same experts L{i} |" for i in range(layers))
    head += " wrong decisions | max scaled error | tensors outside / compared | prompts passed |\n"
    lines = [head, "|---|---|---|---|---|---|" + "---|" * layers + "---|---|---|---|\n"]
    for dtype, rs in runs.items():
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
        tol = ", ".join(TOLERANCES[dtype])
        lines.append(f"| {dtype} | {tol} | {tokens} | {kl:.2e} | {kl_max:.2e} | {100 * top1:.1f}% |"
                     + "".join(f" {100 * s:.1f}% |" for s in same)
                     + f" {wrong} | {scaled:.1e} | {outside} / {compared} | {passed} / {len(rs)} |\n")
    return "".join(lines)


def flips_by_margin(runs):
    lines = ["| dtype | margin < 1e-3 | 1e-3 to 1e-2 | 1e-2 to 0.1 | 0.1 to 1 | >= 1 |\n", "|---|---|---|---|---|---|\n"]
    for dtype, rs in runs.items():
        flips, all_ = [0] * (len(MARGIN_EDGES) + 1), [0] * (len(MARGIN_EDGES) + 1)
        for _, r, m in rs:
            for x in m:
                all_[bin_of(x)] += 1
            for f in r["flips"]:
                flips[bin_of(f["margin"])] += 1
        lines.append(f"| {dtype} |" + "".join(f" {f} / {a} |" for f, a in zip(flips, all_)) + "\n")
    return "".join(lines)


def per_prompt(runs):
    dtypes = list(runs)
    lines = ["| prompt | tokens |" + "".join(f" {d} first divergence | {d} flips (margin) |" for d in dtypes) + "\n",
             "|---|---|" + "---|---|" * len(dtypes) + "\n"]
    for j, (case, report, _) in enumerate(runs[dtypes[0]]):
        row = f"| {case} | {report['logits']['tokens']} |"
        for d in dtypes:
            r = runs[d][j][1]
            first = r["first"]
            row += f" {first['tensor']}, token {first['token']} |" if first else " none |"
            flips = ", ".join(f"L{f['layer']} t{f['token']} {f['expectedExperts']}->{f['actualExperts']} "
                              f"({f['margin']:.1e}{', tie' if f['tie'] else ''})" for f in r["flips"])
            row += f" {flips or '-'} |"
        lines.append(row + "\n")
    return "".join(lines)


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
          + flips_by_margin(runs) + "\nPer prompt (first divergence beyond the tolerance; flips as layer, token, "
          + "reference experts -> engine experts, reference margin):\n\n" + per_prompt(runs))
    print(md)
    print(f"{len(cases)} prompts: {', '.join(c.name for c in cases)}; {versions}; weights of {args.model}")
    if args.markdown:
        args.markdown.write_text(md)


if __name__ == "__main__":
    main()
