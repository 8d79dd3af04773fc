#!/usr/bin/env python3
"""Times the PUBLISHED Hugging Face MixtralForCausalLM (eager attention, float32, PyTorch CPU) on the checkpoint and
token ids that `./mixtral bench` gives it, one forward pass at a time, so that the two can take turns run by run. Not
meant to be run by hand: `./mixtral bench` writes the request {"model": DIR, "threads": N} to a file and runs
`python3 bench_hf.py REQUEST.json`. Once loaded it prints {"torch": ..., "transformers": ..., "threads": N}, then
answers one JSON line per command line on stdin, until stdin closes:
  {"prefill": [ids...]}        -> {"ms": t, "peak_rss_bytes": b}   one forward pass, no cache
  {"decode_prompt": [ids...]}  -> {"ms": t, "peak_rss_bytes": b}   starts a cache with the prompt
  {"decode_token": id}         -> {"ms": t, "peak_rss_bytes": b}   one token with that cache
  {"gemm": [shapes], "runs": R} -> {"ms": [best ms per shape, ...]}
The thread count must be fixed before torch starts, so it comes from OMP_NUM_THREADS (which `./mixtral bench` sets to
the same N) and is also set with torch.set_num_threads.
"""
import json
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from goldgen import published  # noqa: E402  (sets up the import paths for the published code)

import torch  # noqa: E402

transformers = published.import_transformers()


class RssPeak:
    """Peak resident set size while a block runs, sampled every 5 ms from /proc (torch's CPU allocator has no
    counter of its own)."""

    def __enter__(self):
        self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    def _sample(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def gemm_ms(shapes, runs):
    """Best time in ms of torch.nn.functional.linear for each shape (x [rows, in] times w [out, in] transposed), the
    call Hugging Face's Mixtral makes for every projection and expert, after two warm-up runs."""
    out = []
    for s in shapes:
        x = torch.rand(s["rows"], s["in"])
        w = torch.rand(s["out"], s["in"])
        best = float("inf")
        for i in range(runs + 2):
            start = time.perf_counter()
            torch.nn.functional.linear(x, w)
            if i >= 2:
                best = min(best, (time.perf_counter() - start) * 1e3)
        out.append(best)
    return out


def load(req):
    torch.set_num_threads(req["threads"])
    model = transformers.MixtralForCausalLM.from_pretrained(
        req["model"], torch_dtype=torch.float32, attn_implementation="eager")
    model.eval()
    attn = type(model.model.layers[0].self_attn).__name__
    assert attn == "MixtralAttention", f"expected eager attention, got {attn}"
    return model


def about():
    return {"torch": torch.__version__, "transformers": transformers.__version__, "threads": torch.get_num_threads()}


def serve(model):
    """One command per stdin line, one answer per stdout line (see the module's docstring)."""
    print(json.dumps(about()), flush=True)
    past = None
    for line in sys.stdin:
        cmd = json.loads(line)
        with torch.inference_mode(), RssPeak() as rss:
            start = time.perf_counter()
            if "prefill" in cmd:
                model(input_ids=torch.tensor([cmd["prefill"]]), use_cache=False)
            elif "decode_prompt" in cmd:
                past = model(input_ids=torch.tensor([cmd["decode_prompt"]]), use_cache=True).past_key_values
            elif "decode_token" in cmd:
                past = model(input_ids=torch.tensor([[cmd["decode_token"]]]), past_key_values=past,
                             use_cache=True).past_key_values
            elif "gemm" in cmd:
                print(json.dumps({"ms": gemm_ms(cmd["gemm"], cmd["runs"])}), flush=True)
                continue
            else:
                raise ValueError(f"unknown command {line.strip()}")
            ms = (time.perf_counter() - start) * 1e3
        print(json.dumps({"ms": ms, "peak_rss_bytes": rss.peak}), flush=True)


def main():
    serve(load(json.loads(Path(sys.argv[1]).read_text())))


if __name__ == "__main__":
    main()
