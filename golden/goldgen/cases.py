"""The golden cases: tiny dimensions, each chosen to exercise one thing the Java model must get right."""
from dataclasses import dataclass

from .checkpoint import Dims


@dataclass(frozen=True)
class Case:
    name: str
    dims: Dims
    seed: int
    T: int                      # prompt length
    N: int = 8                  # new tokens of greedy generation
    with_probs: bool = False    # record layers.{i}.attn.probs
    dtype: str = "float32"      # storage dtype of the checkpoints
    gate_scale: float = 1.0
    mistral: bool = True        # also run moe_one_file_ref.py on the Mistral-native layout (always written)
    why: str = ""


CASES = [
    Case("moe8_top2_gqa", Dims(D=32, H=4, KV=2, F=64, E=8, K=2, V=128, L=2), seed=1, T=12, with_probs=True,
         why="the Mixtral shape in miniature: 8 experts, top-2, grouped-query attention (2 query heads per kv head)"),
    Case("moe4_top1", Dims(D=32, H=4, KV=2, F=64, E=4, K=1, V=128, L=2), seed=2, T=10, with_probs=True,
         why="top-1 routing: the single routing weight is exactly 1"),
    Case("mqa", Dims(D=32, H=4, KV=1, F=64, E=4, K=2, V=128, L=2), seed=3, T=12, with_probs=True,
         why="multi-query attention: one kv head shared by all 4 query heads"),
    Case("bf16_weights", Dims(D=32, H=4, KV=2, F=64, E=8, K=2, V=128, L=2), seed=4, T=12, dtype="bfloat16",
         why="weights stored as bfloat16; both published models run in float32 on the upcast weights"),
    Case("long_seq", Dims(D=32, H=4, KV=2, F=64, E=4, K=2, V=128, L=2), seed=5, T=160,
         why="a 160-token prompt (no attention probabilities, to keep the file small)"),
    Case("single_token", Dims(D=32, H=4, KV=2, F=64, E=4, K=2, V=128, L=2), seed=6, T=1, with_probs=True,
         why="a one-token prompt: no masking at all in prefill"),
    Case("sliding_window", Dims(D=32, H=4, KV=2, F=64, E=4, K=2, V=128, L=2, sliding_window=8), seed=7, T=32,
         N=12, with_probs=True,
         why="sliding_window 8 shorter than the 32-token prompt; moe_one_file_ref.py has no sliding window, "
             "so the two implementations are only comparable on the first 8 tokens"),
    Case("routing_scaled_gate", Dims(D=32, H=4, KV=2, F=64, E=8, K=2, V=128, L=3), seed=8, T=24,
         gate_scale=3.0,
         why="gate weights scaled by 3: wider router-logit margins, selections that vary across tokens and layers, "
             "second routing weights still far from 0"),
    Case("rope_theta_1e4", Dims(D=32, H=2, KV=2, F=64, E=4, K=2, V=128, L=2, rope_theta=1e4), seed=9, T=16,
         mistral=False,
         why="rope_theta 10000 (not Mixtral's 1e6), so a hard-coded theta shows; head_dim 16 and plain multi-head "
             "attention (KV = H); Hugging Face only, because moe_one_file_ref.py hard-codes theta = 1e6"),
]
