#!/usr/bin/env python3
"""Trains the trained demo model with the published implementation: Hugging Face MixtralForCausalLM (transformers
v4.38.2) on PyTorch CPU, with Mixtral's router load-balancing auxiliary loss.

Run after build_corpus.py and train_tokenizer.py, from the repository root:
  /usr/bin/python3 trained-model/train.py --out trained-model/out          # the real run, about two hours
  /usr/bin/python3 trained-model/train.py --smoke --out /tmp/smoke         # tiny model, 20 steps, about a minute
Without --steps it times a few steps first and picks the number of steps that fits --hours. Writes to --out:
  config.json, model.safetensors (bf16, Hugging Face layout), tokenizer.model   the model, as our Java reads it
  loss.csv, loss.png, heldout.json, run.json                                   the run: curve, perplexities, settings

Shape legend: B sequences per batch, T tokens per sequence, D hidden, E experts, K experts per token, V vocabulary.
Batches hold the same number of sequences from each of the six groups (en, fr, de, es, it, code); within a group a
source is picked in proportion to its size. Each sequence is BOS followed by a window of a source's token stream.
"""
import argparse
import csv
import hashlib
import json
import math
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import sentencepiece as spm
import torch

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS, HELDOUT, MANIFEST, TOKENIZER = HERE / "corpus", HERE / "heldout", HERE / "corpus-manifest.json", HERE / "tokenizer.model"
GROUPS = ["en", "fr", "de", "es", "it", "code"]
SEED = 20240108

# Mixtral's shape, scaled down: 8 experts, top-2, grouped-query attention (6 query heads share 2 key/value heads).
# About 11M parameters, 22 MB in bf16; per token it runs attention and 2 of the 8 expert MLPs in each layer.
FULL = dict(hidden_size=192, intermediate_size=320, num_hidden_layers=6, num_attention_heads=6, num_key_value_heads=2,
            num_local_experts=8, num_experts_per_tok=2, seq_len=256, batch=12)
SMOKE = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
             num_local_experts=8, num_experts_per_tok=2, seq_len=64, batch=6)


def import_transformers():
    """The project's way to import the published implementation with Debian's torch (see golden/goldgen/published.py)."""
    os.environ.setdefault("TRANSFORMERS_SRC", "/work/published/transformers-v4.38.2")
    os.environ.setdefault("HF_HUB_SRC", "/work/published/huggingface_hub-v0.20.3")
    sys.path.insert(0, str(ROOT / "golden"))
    from goldgen import published
    return published.import_transformers()


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="output folder (created)")
    ap.add_argument("--smoke", action="store_true", help="tiny model, 20 steps: checks the pipeline in a minute")
    ap.add_argument("--hours", type=float, default=1.75, help="training time budget used to pick --steps")
    ap.add_argument("--steps", type=int, help="optimizer steps (default: what fits --hours, measured)")
    ap.add_argument("--estimate-only", action="store_true", help="measure the speed, print the steps, stop")
    ap.add_argument("--lr", type=float, default=3e-3, help="peak learning rate (AdamW)")
    ap.add_argument("--warmup", type=float, default=0.03, help="linear warm-up, fraction of the steps")
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--aux-coef", type=float, default=0.02, help="router load-balancing loss coefficient")
    ap.add_argument("--eval-every", type=int, default=200, help="steps between held-out loss points on the curve")
    ap.add_argument("--eval-windows", type=int, default=24, help="held-out windows per source for the final perplexity")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--checkpoint-every", type=int, default=100, help="steps between saves of OUT/checkpoint.pt")
    ap.add_argument("--stop-after", type=int, help="stop after this step, checkpoint saved (to split a long run)")
    ap.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt (same --steps needed)")
    args = ap.parse_args()
    if args.smoke:
        args.steps = args.steps or 20
        args.eval_every = 10
        args.eval_windows = 2
    return args


class Corpus:
    """Token streams of every source (train or held-out), tokenized once per tokenizer and cached beside the text."""

    def __init__(self, folder, sp, sources):
        self.sp = sp
        self.newline = sp.piece_to_id("<0x0A>")
        self.streams = {s["source"]: self._tokens(folder / f"{s['source']}.txt") for s in sources}
        self.groups = {g: [s["source"] for s in sources if s["language"] == g] for g in GROUPS}
        missing = [g for g, names in self.groups.items() if not names]
        if missing:
            raise SystemExit(f"the manifest has no source for {missing}: rerun build_corpus.py")

    def _tokens(self, path):
        text = path.read_text(encoding="utf-8")
        # Keyed by both the tokenizer and the text, so that a rebuilt corpus or tokenizer is never read stale.
        cache = path.with_suffix(f".{tokenizer_digest()}-{hashlib.sha256(text.encode()).hexdigest()[:12]}.npy")
        if cache.exists():
            return np.load(cache)
        # Paragraphs are encoded one by one (as a prompt would be) and joined by two newline byte pieces.
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        ids = []
        for piece in self.sp.encode(paragraphs):
            ids.extend(piece)
            ids.extend((self.newline, self.newline))
        arr = np.asarray(ids, dtype=np.int16 if self.sp.get_piece_size() < 32768 else np.int32)
        np.save(cache, arr)
        return arr

    def sample(self, rng, batch, seq_len):
        """[B, T] token ids: batch // 6 windows from each group, BOS first."""
        rows = []
        for g in GROUPS:
            names = self.groups[g]
            sizes = np.array([len(self.streams[n]) for n in names], dtype=np.float64)
            for _ in range(batch // len(GROUPS)):
                stream = self.streams[names[rng.choice(len(names), p=sizes / sizes.sum())]]
                start = rng.integers(0, len(stream) - seq_len)
                rows.append(np.concatenate(([self.sp.bos_id()], stream[start:start + seq_len - 1])))
        return torch.from_numpy(np.stack(rows).astype(np.int64))

    def windows(self, name, seq_len, count):
        """Up to count evenly spaced, non-overlapping windows of one source, BOS first."""
        stream = self.streams[name]
        n = len(stream) // (seq_len - 1)
        picks = np.linspace(0, n - 1, num=min(count, n)).astype(int) if n else []
        return [np.concatenate(([self.sp.bos_id()], stream[i * (seq_len - 1):(i + 1) * (seq_len - 1)])) for i in picks]


_DIGEST = None


def tokenizer_digest():
    global _DIGEST
    if _DIGEST is None:
        _DIGEST = hashlib.sha256(TOKENIZER.read_bytes()).hexdigest()[:12]
    return _DIGEST


def lr_at(step, steps, peak, warmup):
    """Linear warm-up to the peak, then cosine decay to a tenth of it."""
    w = max(1, int(warmup * steps))
    if step < w:
        return peak * (step + 1) / w
    progress = (step - w) / max(1, steps - w)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


@torch.no_grad()
def heldout_loss(model, corpus, seq_len, windows_per_source):
    """Mean next-token loss (no auxiliary loss) per source and per group, over held-out windows."""
    model.eval()
    per_source = {}
    for name in sorted(corpus.streams):
        total, tokens = 0.0, 0
        for w in corpus.windows(name, seq_len, windows_per_source):
            ids = torch.from_numpy(w.astype(np.int64))[None]
            out = model(input_ids=ids, labels=ids, output_router_logits=False)
            total += out.loss.item() * (ids.shape[1] - 1)
            tokens += ids.shape[1] - 1
        per_source[name] = (total, tokens)
    model.train()
    per_group = {}
    for g, names in corpus.groups.items():
        total = sum(per_source[n][0] for n in names)
        tokens = sum(per_source[n][1] for n in names)
        per_group[g] = {"loss": total / tokens, "perplexity": math.exp(total / tokens), "tokens": tokens}
    sources = {n: {"loss": t / k, "perplexity": math.exp(t / k), "tokens": k} for n, (t, k) in per_source.items() if k}
    return per_group, sources


def project_config(hf_config, vocab):
    """config.json in the project's layout (the keys ./mixtral random-checkpoint writes)."""
    c = hf_config
    return {
        "architectures": ["MixtralForCausalLM"], "model_type": "mixtral",
        "hidden_size": c.hidden_size, "intermediate_size": c.intermediate_size,
        "num_hidden_layers": c.num_hidden_layers, "num_attention_heads": c.num_attention_heads,
        "num_key_value_heads": c.num_key_value_heads, "head_dim": c.hidden_size // c.num_attention_heads,
        "num_local_experts": c.num_local_experts, "num_experts_per_tok": c.num_experts_per_tok,
        "vocab_size": vocab, "rope_theta": c.rope_theta, "rms_norm_eps": c.rms_norm_eps,
        "max_position_embeddings": c.max_position_embeddings, "sliding_window": None,
        "tie_word_embeddings": False, "hidden_act": "silu", "bos_token_id": 1, "eos_token_id": 2,
        "torch_dtype": "bfloat16",
    }


def save_model(model, vocab, out):
    from safetensors.torch import save_file  # the real package if installed, else golden/shims/ (on sys.path now)
    tensors = {k: v.detach().to(torch.bfloat16).contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "config.json").write_text(json.dumps(project_config(model.config, vocab), indent=2) + "\n")
    shutil.copyfile(TOKENIZER, out / "tokenizer.model")


def plot(rows, evals, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    steps = [r["step"] for r in rows]
    ax.plot(steps, [r["lm_loss"] for r in rows], lw=0.6, alpha=0.5, label="training loss (next token)")
    k = max(1, len(rows) // 50)
    smooth = np.convolve([r["lm_loss"] for r in rows], np.ones(k) / k, mode="valid")
    ax.plot(steps[k - 1:], smooth, lw=1.5, label=f"training loss, mean of {k} steps")
    if evals:
        ax.plot([e[0] for e in evals], [e[1] for e in evals], "o-", ms=3, label="held-out loss, mean of the six groups")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats per token)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)


def main():
    args = parse_args()
    if not TOKENIZER.exists() or not MANIFEST.exists() or not CORPUS.is_dir():
        raise SystemExit("no corpus or tokenizer: run trained-model/build_corpus.py and train_tokenizer.py first")
    transformers = import_transformers()
    torch.set_num_threads(args.threads)
    shape = SMOKE if args.smoke else FULL
    sp = spm.SentencePieceProcessor(model_file=str(TOKENIZER))
    sources = json.loads(MANIFEST.read_text(encoding="utf-8"))["sources"]
    t0 = time.time()
    train, held = Corpus(CORPUS, sp, sources), Corpus(HELDOUT, sp, sources)
    total_tokens = sum(len(a) for a in train.streams.values())
    print(f"tokenized in {time.time() - t0:.0f} s: " + ", ".join(
        f"{g} {sum(len(train.streams[n]) for n in names) / 1e6:.2f}M" for g, names in train.groups.items()) + " tokens")

    config = transformers.MixtralConfig(
        vocab_size=sp.get_piece_size(), hidden_size=shape["hidden_size"], intermediate_size=shape["intermediate_size"],
        num_hidden_layers=shape["num_hidden_layers"], num_attention_heads=shape["num_attention_heads"],
        num_key_value_heads=shape["num_key_value_heads"], num_local_experts=shape["num_local_experts"],
        num_experts_per_tok=shape["num_experts_per_tok"], max_position_embeddings=4096, rope_theta=1e6,
        sliding_window=None, tie_word_embeddings=False, output_router_logits=True,
        router_aux_loss_coef=args.aux_coef, attn_implementation="eager", bos_token_id=1, eos_token_id=2)

    def fresh():
        """The seed's initial weights, a new optimizer and the seed's data order."""
        torch.manual_seed(SEED)
        model = transformers.MixtralForCausalLM(config)
        model.train()
        decay = [p for p in model.parameters() if p.dim() >= 2]
        no_decay = [p for p in model.parameters() if p.dim() < 2]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                                 {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))
        return model, opt, np.random.default_rng(SEED)

    model, opt, rng = fresh()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params / 1e6:.2f}M parameters, {2 * n_params / 1e6:.1f} MB in bf16")
    B, T = shape["batch"], shape["seq_len"]

    def step_once(step, steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, args.lr, args.warmup)
        ids = train.sample(rng, B, T)                                     # [B, T]
        out = model(input_ids=ids, labels=ids)                            # loss = next-token + coef * aux
        opt.zero_grad(set_to_none=True)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return out.loss.item(), out.aux_loss.item(), opt.param_groups[0]["lr"]

    steps = args.steps
    if args.resume and steps is None:
        raise SystemExit("--resume needs the --steps of the run it continues")
    if steps is None:
        # Time a few steps of this very model and batch shape, then start again from the seed, so that a run with
        # --steps gives the same model as a run that measured the same number of steps.
        probe = 8
        step_once(0, 10 ** 6)  # the first step allocates; not timed
        t = time.time()
        for s in range(1, probe + 1):
            step_once(s, 10 ** 6)  # the warm-up of a very long schedule: a tiny learning rate
        per_step = (time.time() - t) / probe
        steps = int(args.hours * 3600 / per_step)
        print(f"measured {per_step:.2f} s/step = {B * T / per_step:.0f} tokens/s; {args.hours} h -> {steps} steps, "
              f"{steps * B * T / 1e6:.1f}M tokens (about {steps * B * T / total_tokens:.1f} epochs)", flush=True)
        if args.estimate_only:
            return
        model, opt, rng = fresh()
    else:
        print(f"{steps} steps, {steps * B * T / 1e6:.2f}M tokens")

    args.out.mkdir(parents=True, exist_ok=True)
    ckpt_path = args.out / "checkpoint.pt"
    done, rows, evals, elapsed = 0, [], [], 0.0
    if args.resume:
        if not ckpt_path.exists():
            raise SystemExit(f"--resume: {ckpt_path} does not exist (a run saves it every --checkpoint-every steps)")
        ckpt = torch.load(ckpt_path)
        if ckpt["steps"] != steps or ckpt["shape"] != shape:
            raise SystemExit(f"{ckpt_path} is from a run of {ckpt['steps']} steps of shape {ckpt['shape']}: "
                             f"resume with the same --steps and --smoke as that run")
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        rng.bit_generator.state = ckpt["rng"]
        done, evals, elapsed = ckpt["step"], ckpt["evals"], ckpt["seconds"]
        if "rows" in ckpt:
            rows = ckpt["rows"]
        else:  # checkpoints written before the rows were kept in them: what loss.csv still holds
            with open(args.out / "loss.csv", newline="") as f:
                rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(f) if int(r["step"]) <= done]
        print(f"resumed at step {done} of {steps}")
    t_start = time.time() - elapsed  # run time so far, across sessions
    t_resume = time.time()
    def write(log, row):
        log.writerow([int(row["step"]), f"{row['lr']:.6g}", f"{row['loss']:.5f}", f"{row['lm_loss']:.5f}",
                      f"{row['aux_loss']:.5f}", int(row["tokens"]), row["seconds"]])

    # Rewrite the rows so far under another name and swap, so that a process killed now loses no row already logged.
    with open(args.out / "loss.csv.tmp", "w", newline="") as f:
        log = csv.writer(f)
        log.writerow(["step", "lr", "loss", "lm_loss", "aux_loss", "tokens", "seconds"])
        for row in rows:
            write(log, row)
    os.replace(args.out / "loss.csv.tmp", args.out / "loss.csv")
    with open(args.out / "loss.csv", "a", newline="") as f:
        log = csv.writer(f)
        for s in range(done, steps):
            loss, aux, lr = step_once(s, steps)
            row = {"step": s + 1, "lr": lr, "loss": loss, "lm_loss": loss - args.aux_coef * aux, "aux_loss": aux,
                   "tokens": (s + 1) * B * T, "seconds": round(time.time() - t_start, 1)}
            rows.append(row)
            write(log, row)
            if (s + 1) % args.eval_every == 0 or s + 1 == steps:
                groups, _ = heldout_loss(model, held, T, 2)
                mean = float(np.mean([v["loss"] for v in groups.values()]))
                evals.append((s + 1, mean))
                f.flush()
                eta = (time.time() - t_resume) / (s + 1 - done) * (steps - s - 1)
                print(f"step {s + 1}/{steps} loss {loss:.3f} aux {aux:.3f} held-out {mean:.3f} "
                      f"lr {lr:.2e} eta {eta / 60:.0f} min", flush=True)
            stopping = args.stop_after is not None and s + 1 == args.stop_after
            if (s + 1) % args.checkpoint_every == 0 or stopping:
                f.flush()
                # Everything a continuation needs to give the same weights as an uninterrupted run.
                torch.save({"step": s + 1, "steps": steps, "shape": shape, "model": model.state_dict(),
                            "optimizer": opt.state_dict(), "rng": rng.bit_generator.state, "evals": evals,
                            "rows": rows, "seconds": time.time() - t_start}, str(ckpt_path) + ".tmp")
                os.replace(str(ckpt_path) + ".tmp", ckpt_path)
            if stopping:
                print(f"stopped after step {s + 1}; continue with the same arguments and --resume")
                return

    groups, per_source = heldout_loss(model, held, T, args.eval_windows)
    save_model(model, sp.get_piece_size(), args.out)
    (args.out / "heldout.json").write_text(json.dumps({"groups": groups, "sources": per_source}, indent=2) + "\n")
    (args.out / "run.json").write_text(json.dumps({
        "seed": SEED, "smoke": args.smoke, "shape": shape, "parameters": n_params, "steps": steps,
        "tokens": steps * B * T, "lr": args.lr, "warmup": args.warmup, "weight_decay": args.weight_decay,
        "router_aux_loss_coef": args.aux_coef, "seconds": round(time.time() - t_start), "resumed": args.resume,
        "transformers": transformers.__version__, "torch": torch.__version__,
        "tokenizer_sha256_12": tokenizer_digest(),
        "model_sha256": hashlib.sha256((args.out / "model.safetensors").read_bytes()).hexdigest()}, indent=2) + "\n")
    plot(rows, evals, args.out / "loss.png",
         f"MixtralForCausalLM {n_params / 1e6:.1f}M parameters, {steps} steps of {B}x{T} tokens")
    print("held-out perplexity: " + ", ".join(f"{g} {v['perplexity']:.1f}" for g, v in groups.items()))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
