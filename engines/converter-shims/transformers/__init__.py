"""Stand-in for transformers (not installable here: it needs the Rust `tokenizers` package, not in Debian 12):
convert_hf_to_gguf.py falls back to reading config.json itself when AutoConfig fails."""
class AutoConfig:
    @staticmethod
    def from_pretrained(*a, **k):
        raise RuntimeError("transformers stand-in: no AutoConfig")
class AutoTokenizer:
    @staticmethod
    def from_pretrained(*a, **k):
        raise RuntimeError("transformers stand-in: no AutoTokenizer")
