"""A small pure-Python stand-in for the `safetensors` package (read and write, torch only).

File layout: 8-byte little-endian header length N, N bytes of JSON header, then the raw data.
Header: {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}},
offsets relative to the end of the header. transformers imports `safe_open`, `safetensors.torch.load_file`
and `save_file` (plus `storage_ptr`, `storage_size`); nothing else is provided.
"""
import json
import struct

# Aliased: importing the submodule safetensors.torch rebinds the name `torch` in this package.
import torch as _torch

DTYPES = {
    "F64": _torch.float64, "F32": _torch.float32, "F16": _torch.float16, "BF16": _torch.bfloat16,
    "I64": _torch.int64, "I32": _torch.int32, "I16": _torch.int16, "I8": _torch.int8, "U8": _torch.uint8,
    "BOOL": _torch.bool,
}
NAMES = {dtype: name for name, dtype in DTYPES.items()}


def read_header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n)), 8 + n


def read_tensor(f, data_start, info):
    begin, end = info["data_offsets"]
    f.seek(data_start + begin)
    raw = bytearray(f.read(end - begin))
    dtype = DTYPES[info["dtype"]]
    if len(raw) == 0:
        return _torch.empty(info["shape"], dtype=dtype)
    return _torch.frombuffer(raw, dtype=dtype).reshape(info["shape"]).clone()


class safe_open:
    def __init__(self, path, framework="pt", device="cpu"):
        assert framework == "pt" and device == "cpu", "only torch on cpu"
        self.path = path
        self.header, self.data_start = read_header(path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def metadata(self):
        return self.header.get("__metadata__", {})

    def keys(self):
        return [k for k in self.header if k != "__metadata__"]

    def get_tensor(self, name):
        with open(self.path, "rb") as f:
            return read_tensor(f, self.data_start, self.header[name])
