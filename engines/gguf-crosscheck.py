#!/usr/bin/env python3
"""Compares two GGUF files tensor by tensor and key by key: ours (`./mixtral gguf`) against llama.cpp's own
converter's (`convert_hf_to_gguf.py`), as docs/engines.md reports. Reads both with llama.cpp's gguf-py (on PYTHONPATH).

Usage: PYTHONPATH=LLAMA_CPP/gguf-py /usr/bin/python3 engines/gguf-crosscheck.py OURS.gguf THEIRS.gguf [--atol 1e-6]
Prints each difference; exits 0 when tensor names, shapes, types and values (dequantised, within --atol) and metadata
key names agree, 1 otherwise. Metadata values that differ are printed but do not fail (they describe, not compute).
"""
import argparse
import sys

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize


def field_value(f):
    """A metadata field as Python data: a scalar, a string, or a list of them."""
    if not f.data:
        return None
    parts = [f.parts[i] for i in f.data]
    if f.types and f.types[0].name == "STRING" or (len(f.types) > 1 and f.types[1].name == "STRING"):
        vals = [bytes(p).decode("utf-8", "replace") for p in parts]
    else:
        vals = [p.tolist()[0] if len(p) == 1 else p.tolist() for p in parts]
    return vals if f.types[0].name == "ARRAY" else vals[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ours")
    ap.add_argument("theirs")
    ap.add_argument("--atol", type=float, default=1e-6)
    a = ap.parse_args()
    ours, theirs = GGUFReader(a.ours), GGUFReader(a.theirs)
    bad = 0
    ko = {k for k in ours.fields if not k.startswith("GGUF.")}
    kt = {k for k in theirs.fields if not k.startswith("GGUF.")}
    for k in sorted(ko - kt):
        print(f"key only in ours: {k} = {str(field_value(ours.fields[k]))[:80]}")
        bad += 1
    for k in sorted(kt - ko):
        print(f"key only in theirs: {k} = {str(field_value(theirs.fields[k]))[:80]}")
        bad += 1
    same_values = 0
    for k in sorted(ko & kt):
        vo, vt = field_value(ours.fields[k]), field_value(theirs.fields[k])
        if vo != vt:
            if isinstance(vo, list) and isinstance(vt, list) and len(vo) == len(vt):
                diff = [i for i in range(len(vo)) if vo[i] != vt[i]]
                print(f"value differs: {k}: {len(diff)} of {len(vo)} entries, first at {diff[0]}: "
                      f"{vo[diff[0]]!r} vs {vt[diff[0]]!r}")
            else:
                print(f"value differs: {k}: ours {str(vo)[:60]} theirs {str(vt)[:60]}")
        else:
            same_values += 1
    to = {t.name: t for t in ours.tensors}
    tt = {t.name: t for t in theirs.tensors}
    for n in sorted(set(to) ^ set(tt)):
        print(f"tensor only in {'ours' if n in to else 'theirs'}: {n}")
        bad += 1
    worst, identical = 0.0, 0
    for n in sorted(set(to) & set(tt)):
        o, t = to[n], tt[n]
        if list(o.shape) != list(t.shape) or o.tensor_type != t.tensor_type:
            print(f"{n}: ours {o.tensor_type.name} {list(o.shape)}, theirs {t.tensor_type.name} {list(t.shape)}")
            bad += 1
            continue
        if bytes(o.data.tobytes()) == bytes(t.data.tobytes()):
            identical += 1
            continue
        do = dequantize(o.data, o.tensor_type).astype(np.float64)
        dt = dequantize(t.data, t.tensor_type).astype(np.float64)
        err = float(np.max(np.abs(do - dt)))
        worst = max(worst, err)
        print(f"{n}: {o.tensor_type.name} {list(o.shape)} bytes differ, max |ours - theirs| = {err:.3g}"
              f" ({int(np.sum(do != dt))} of {do.size} values)")
        bad += err > a.atol
    print(f"{len(to)} / {len(tt)} tensors, {identical} byte-identical, largest value difference {worst:.3g}; "
          f"{len(ko)} / {len(kt)} metadata keys, {same_values} of {len(ko & kt)} shared keys with equal values")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
