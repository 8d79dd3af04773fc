"""Runs llama.cpp's convert_hf_to_gguf.py on Debian's torch 1.13, which predates the float8 dtypes the converter
names in a lookup table (torch 2.1+): they are given placeholder values no tensor of ours can have."""
import runpy, sys, torch
for name in ("float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu", "uint16", "uint32", "uint64"):
    if not hasattr(torch, name):
        setattr(torch, name, type(name, (), {})())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
