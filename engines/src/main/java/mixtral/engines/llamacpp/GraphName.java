package mixtral.engines.llamacpp;

import java.util.Arrays;
import java.util.Optional;
import mixtral.trace.TraceTensor;

/**
 * The name llama.cpp's graph gives each tensor of our trace format (its eval callback sees them by these names;
 * per-layer ones end in {@code -L}). ggml lists dimensions fastest first, so a contiguous [E, T] tensor there is our
 * row-major [T, E]. The logits are not taken from the graph but from {@code llama_get_logits_ith}, llama.cpp's own
 * output; the attention probabilities ({@code kq_soft_max-L}, [n_kv, T, H]) hold one column per cache cell, of which
 * the first T are the tokens.
 */
public enum GraphName {
    EMBED(TraceTensor.EMBED, "embd"),
    ATTN_NORM(TraceTensor.ATTN_NORM, "attn_norm"),
    ATTN_PROBS(TraceTensor.ATTN_PROBS, "kq_soft_max"),
    ATTN_OUT(TraceTensor.ATTN_OUT, "attn_out"),
    RESID_MID(TraceTensor.RESID_MID, "ffn_inp"),
    MOE_NORM(TraceTensor.MOE_NORM, "ffn_norm"),
    ROUTER_LOGITS(TraceTensor.ROUTER_LOGITS, "ffn_moe_logits"),
    ROUTER_PROBS(TraceTensor.ROUTER_PROBS, "ffn_moe_probs"),
    /** The top-K of the probabilities, highest first: a strided view of their argsort. */
    SELECTED_EXPERTS(TraceTensor.SELECTED_EXPERTS, "ffn_moe_topk"),
    /** The chosen probabilities divided by their sum (clamped below at 2^-14): the weights llama.cpp applies. */
    ROUTING_WEIGHTS(TraceTensor.ROUTING_WEIGHTS, "ffn_moe_weights_norm"),
    MOE_OUT(TraceTensor.MOE_OUT, "ffn_moe_out"),
    RESID_POST(TraceTensor.RESID_POST, "l_out"),
    FINAL_NORM(TraceTensor.FINAL_NORM, "result_norm");

    /** The dump's name of the logits read through {@code llama_get_logits_ith}. */
    static final String LOGITS = "logits";

    public final TraceTensor tensor;
    private final String graphName;

    GraphName(TraceTensor tensor, String graphName) {
        this.tensor = tensor;
        this.graphName = graphName;
    }

    /** The graph's name of this tensor at {@code layer} (ignored for model-level tensors). */
    public String at(int layer) {
        return tensor.scope() == TraceTensor.Scope.LAYER ? graphName + "-" + layer : graphName;
    }

    /** The trace name of this tensor at {@code layer}. */
    String traceName(int layer) {
        return tensor.scope() == TraceTensor.Scope.LAYER ? tensor.at(layer) : tensor.leaf();
    }

    static Optional<GraphName> of(TraceTensor t) {
        return Arrays.stream(values()).filter(g -> g.tensor == t).findFirst();
    }
}
