"""Finds and imports the published implementations, and says exactly which ones ran.

Here (no PyPI) they come from source checkouts named by environment variables:
  TRANSFORMERS_SRC  transformers checkout (its root or its src/), tag v4.38.2 (or v4.36.2)
  HF_HUB_SRC        huggingface_hub checkout (root or src/), tag v0.20.3; transformers imports it
  MISTRAL_REF_SRC   mistral-inference checkout at commit 8598cf5 (the folder holding moe_one_file_ref.py)
Elsewhere `pip install transformers==4.38.2` and leave TRANSFORMERS_SRC / HF_HUB_SRC unset.
Missing third-party modules (safetensors, simple_parsing) fall back to the stand-ins in golden/shims/.
"""
import hashlib
import importlib
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

SHIMS = Path(__file__).resolve().parent.parent / "shims"

# Tag -> commit of the checkouts this project used (the upstream release tags).
KNOWN_COMMITS = {
    "transformers v4.38.2": "092f1fdaa4224fdd88c616dc9678e6fcb37bfffd",
    "transformers v4.36.2": "a7cab3c283312b8d4de5df3bbe719971e24f4281",
    "huggingface_hub v0.20.3": "2cff405655a58e91e68d2486a3d699e25fadc65b",
    "mistral-inference moe_one_file_ref.py": "8598cf582091a596671be31990448e0620017851",
}


def _src_dir(env):
    path = os.environ.get(env)
    if not path:
        return None
    path = Path(path).resolve()
    return path / "src" if (path / "src").is_dir() else path


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def import_transformers():
    """Imports transformers with sentencepiece hidden: 4.38 assumes the Rust `tokenizers` package whenever
    sentencepiece is importable, and we need no tokenizer at all."""
    for env in ("HF_HUB_SRC", "TRANSFORMERS_SRC"):
        src = _src_dir(env)
        if src is not None:
            sys.path.insert(0, str(src))
    # Appended, so that a real installed package always wins over our stand-in.
    if str(SHIMS) not in sys.path:
        sys.path.append(str(SHIMS))
    saved = sys.modules.get("sentencepiece")
    sys.modules["sentencepiece"] = None  # find_spec() now answers "not installed"
    try:
        import transformers
        from transformers import MixtralConfig, MixtralForCausalLM  # resolve the lazy module now
    finally:
        if saved is None:
            del sys.modules["sentencepiece"]
        else:
            sys.modules["sentencepiece"] = saved
    # transformers checks huggingface_hub's version through package metadata; with HF_HUB_SRC that metadata is
    # the record in shims/, which must then describe the checkout actually imported.
    import huggingface_hub
    recorded = importlib.metadata.version("huggingface_hub")
    assert huggingface_hub.__version__ == recorded, (
        f"huggingface_hub {huggingface_hub.__version__} imported but metadata says {recorded}; "
        "HF_HUB_SRC should be a v0.20.3 checkout (or rename shims/huggingface_hub-*.dist-info)")
    return transformers


def import_mistral_ref():
    src = _src_dir("MISTRAL_REF_SRC")
    if src is None or not (src / "moe_one_file_ref.py").exists():
        raise SystemExit("MISTRAL_REF_SRC must name a mistral-inference checkout at 8598cf5 (with moe_one_file_ref.py)")
    if str(SHIMS) not in sys.path:
        sys.path.append(str(SHIMS))
    sys.path.insert(0, str(src))
    return importlib.import_module("moe_one_file_ref")


def _debian_package_version(name):
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True)
        return out.stdout.strip() or None
    except OSError:
        return None


def describe(transformers, mistral_ref):
    """Provenance of what ran: versions, source file hashes, and the commit each tag names."""
    import torch

    modeling = importlib.import_module("transformers.models.mixtral.modeling_mixtral")
    hub = importlib.import_module("huggingface_hub")
    tv = transformers.__version__
    return {
        "transformers": {
            "version": tv,
            "commit_of_tag": KNOWN_COMMITS.get(f"transformers v{tv}", "unknown"),
            "source": "checkout via TRANSFORMERS_SRC" if os.environ.get("TRANSFORMERS_SRC") else "installed package",
            "modeling_mixtral_sha256": _sha256(modeling.__file__),
            "model_class": "MixtralForCausalLM",
            "attn_implementation": "eager",
        },
        "huggingface_hub": {"version": hub.__version__,
                            "commit_of_tag": KNOWN_COMMITS.get(f"huggingface_hub v{hub.__version__}", "unknown")},
        "mistral_reference": {
            "file": "moe_one_file_ref.py",
            "repository": "mistralai/mistral-inference",
            "commit": KNOWN_COMMITS["mistral-inference moe_one_file_ref.py"],
            "sha256": _sha256(mistral_ref.__file__),
        },
        "torch": torch.__version__,
        "torch_debian_package": _debian_package_version("python3-torch"),  # Debian's 1.13.1 calls itself 1.13.0a0
        "python": sys.version.split()[0],
    }
