"""Golden cases for the trained demo model: the published implementation run on the demo model's own weights, one
short prompt per group of its training corpus (en, fr, de, es, it; code as one Java and one Python snippet).

Unlike the random cases, the checkpoint is not written here: it is the demo model folder (config.json,
model.safetensors, tokenizer.model), and every case records the sha256 of the files it was made from. Token ids come
from sentencepiece on the folder's tokenizer.model, BOS first. Prompts are written in the style of the corpus
(Debian reference, manual pages, fortunes, OpenJDK and Python standard-library code).

Shapes: T prompt tokens, D hidden, E experts, K experts per token, V vocab, N generated tokens.
"""
from dataclasses import dataclass

import torch

from . import checks, checkpoint, run_hf, run_mistral
from .trace import layer_name

MIN_TOKENS, MAX_TOKENS = 12, 24   # prompt length, BOS included
N = 4                             # greedy tokens; generated_logits [N,V] is the largest tensor kept
MARGIN_FLOOR = 1e-4               # router near-ties below this could flip an expert in another float32 implementation
GAP_FLOOR = 1e-3                  # top-1 minus top-2 logit at a greedy step: logits here reach ~15, errors ~1e-5

# What a trained case keeps (see golden/README.md): the per-layer residual stream and every routing tensor, and the
# logits only where greedy decoding read them (row 0 is the last prompt token's). [T,V] logits and the other [T,D]
# activations of every layer would make each case ~1 MB; the random cases record them all.
KEPT_LEAVES = ("resid_post", "moe.router_logits", "moe.router_probs", "moe.selected_experts", "moe.routing_weights")
KEPT_NAMES = ("tokens", "generated_tokens", "generated_logits")


@dataclass(frozen=True)
class Prompt:
    style: str
    text: str


@dataclass(frozen=True)
class TrainedCase:
    name: str
    group: str                  # the corpus group (trained-model/corpus-manifest.json "language")
    prompts: tuple              # candidates, first acceptable one wins; the others stay as spares


CASES = [
    TrainedCase("en", "en", (
        Prompt("a manual page",
               "ls - list directory contents. List information about the FILEs, the current directory by default."),
        Prompt("a fortune", "A clean desk is a sign of a cluttered drawer."),
        Prompt("the Debian reference", "The apt-get command installs packages from the archives in sources.list."))),
    TrainedCase("fr", "fr", (
        Prompt("the Debian reference",
               "La commande apt-get installe les paquets depuis les archives listées dans sources.list."),
        Prompt("the Debian reference", "Le système de fichiers est monté en lecture seule au démarrage."))),
    TrainedCase("de", "de", (
        Prompt("a manual page", "ls - Verzeichnisinhalte auflisten. Zeigt Informationen über die DATEIen an."),
        Prompt("a fortune", "Wer nichts weiß, muss alles glauben."),
        Prompt("the Debian reference", "Der Befehl apt-get installiert Pakete aus den Archiven in sources.list."))),
    TrainedCase("es", "es", (
        Prompt("the Debian reference",
               "La orden apt-get instala paquetes desde los archivos que figuran en sources.list."),
        Prompt("a fortune", "El que madruga encuentra todas las tiendas cerradas."))),
    TrainedCase("it", "it", (
        Prompt("a fortune", "Chi va piano va sano e va lontano, ma arriva tardi."),
        Prompt("the Debian reference",
               "Il comando apt-get installa i pacchetti dagli archivi elencati in sources.list."))),
    TrainedCase("code_java", "code", (
        Prompt("OpenJDK's java.util", "public boolean isEmpty() {\n        return size == 0;\n    }"),
        Prompt("OpenJDK's java.util", "public int size() {\n        return size;\n    }"))),
    TrainedCase("code_python", "code", (
        Prompt("the Python standard library", "    if not isinstance(path, str):\n        raise TypeError(path)"),
        Prompt("the Python standard library", "def __len__(self):\n        return len(self._data)"))),
]


def dims(config):
    """The checkpoint.Dims of a Hugging Face config.json (dict)."""
    d = checkpoint.Dims(D=config["hidden_size"], H=config["num_attention_heads"], KV=config["num_key_value_heads"],
                        F=config["intermediate_size"], E=config["num_local_experts"], K=config["num_experts_per_tok"],
                        V=config["vocab_size"], L=config["num_hidden_layers"], rope_theta=config["rope_theta"],
                        sliding_window=config.get("sliding_window"), rms_norm_eps=config["rms_norm_eps"],
                        max_position_embeddings=config["max_position_embeddings"])
    # transformers 4.38 derives head_dim as hidden / heads and ignores a head_dim field; the two must agree.
    assert config.get("head_dim", d.Hd) == d.Hd, f"head_dim {config['head_dim']} != hidden/heads {d.Hd}"
    return d


def run(model, d, tokens):
    """The published model's full trace over `tokens` [T], its greedy continuation, and why it is unfit (or None)."""
    hf = run_hf.trace(model, tokens, with_probs=False)
    hf["tokens"] = tokens
    hf["generated_tokens"], hf["generated_logits"] = run_hf.generate(model, tokens, N)
    top2 = torch.topk(hf["generated_logits"].double(), 2, dim=-1).values
    gap = float((top2[:, 0] - top2[:, 1]).min())
    margin = checks.min_router_margin(hf, d)
    why_not = None
    if not MIN_TOKENS <= tokens.shape[0] <= MAX_TOKENS:
        why_not = f"{tokens.shape[0]} tokens, not {MIN_TOKENS} to {MAX_TOKENS}"
    elif margin < MARGIN_FLOOR:
        why_not = f"router margin {margin:.2g} < {MARGIN_FLOOR}"
    elif gap < GAP_FLOOR:
        why_not = f"greedy top-1/top-2 logit gap {gap:.2g} < {GAP_FLOOR}"
    return hf, {"min_router_margin": margin, "min_greedy_logit_gap": gap}, why_not


def kept(hf, L):
    names = set(KEPT_NAMES) | {layer_name(i, leaf) for i in range(L) for leaf in KEPT_LEAVES}
    return {k: v.contiguous() for k, v in hf.items() if k in names}


def cross_check(mistral_ref, model, d, hf):
    """Mistral's moe_one_file_ref.py on the same weights in the Mistral-native layout (converted in memory, not
    written), compared with the full Hugging Face trace."""
    weights = {k: v.detach() for k, v in model.state_dict().items()}   # float32, upcast exactly from bf16
    native = checkpoint.to_mistral_native(weights, d)
    T = hf["tokens"].shape[0]
    ms_model = run_mistral.build(mistral_ref, checkpoint.mistral_params(d), native, T + N)
    ms = run_mistral.trace(mistral_ref, ms_model, hf["tokens"], with_probs=False)
    ms_generated, ms_steps = run_mistral.generate(ms_model, hf["tokens"], N)
    diffs, agree = checks.compare(hf, ms, d.L)
    name, worst = max(diffs.items(), key=lambda kv: kv[1])
    return {
        "compared": True,
        "layout": "Mistral-native, converted in memory from the Hugging Face weights (wq/wk rows interleaved)",
        "max_abs_diff_logits": diffs["logits"],
        "max_abs_diff_any_tensor": {"tensor": name, "diff": worst},
        "selected_experts_equal": agree,
        "generated_tokens_equal": torch.equal(ms_generated, hf["generated_tokens"]),
        "max_abs_diff_generated_logits": checks.max_abs_diff(ms_steps, hf["generated_logits"]),
        "max_abs_diff": diffs,
    }
