"""`load_file` / `save_file` of the safetensors stand-in (see __init__.py for the format)."""
import json
import struct

import torch

from . import NAMES, read_header, read_tensor


def load_file(path, device="cpu"):
    header, data_start = read_header(path)
    with open(path, "rb") as f:
        return {k: read_tensor(f, data_start, v) for k, v in header.items() if k != "__metadata__"}


def save_file(tensors, path, metadata=None):
    header = {"__metadata__": dict(metadata or {})}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        # bfloat16 has no numpy dtype: write its bytes through a same-width integer view.
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # the format pads the header to 8 bytes with spaces
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for raw in blobs:
            f.write(raw)


# transformers' pytorch_utils imports these two to tell tensors that share storage apart.
def storage_ptr(tensor):
    return tensor.untyped_storage().data_ptr() if hasattr(tensor, "untyped_storage") else tensor.storage().data_ptr()


def storage_size(tensor):
    if hasattr(tensor, "untyped_storage"):
        return tensor.untyped_storage().nbytes()
    return tensor.storage().size() * tensor.element_size()
