package mixtral.trace;

/**
 * The one place where recorded tensor names are spelled. Every name is stable: it is the trace format other engines
 * read. Shapes (T tokens, D hidden, H heads, E experts, K experts per token, V vocab) are those of a full forward
 * pass; float32 unless noted.
 */
public final class TensorNames {
    /** [T] I64, the input token ids. */
    public static final String TOKENS = "tokens";
    /** [T, D] token embeddings, the start of the residual stream. */
    public static final String EMBED = "embed";
    /** [T, D] the last layer's output after the final RMSNorm. */
    public static final String FINAL_NORM = "final_norm";
    /** [T, V] next-token logits. */
    public static final String LOGITS = "logits";

    private TensorNames() {}

    private static String layer(int i, String leaf) {
        return "layers." + i + "." + leaf;
    }

    /** [T, D] attention input after RMSNorm. */
    public static String attnNorm(int i) {
        return layer(i, "attn_norm");
    }

    /** [T, D] output of the attention block (after o_proj). */
    public static String attnOut(int i) {
        return layer(i, "attn.out");
    }

    /** [H, T, T] attention probabilities; recorded only when asked for. */
    public static String attnProbs(int i) {
        return layer(i, "attn.probs");
    }

    /** [T, D] residual stream after attention. */
    public static String residMid(int i) {
        return layer(i, "resid_mid");
    }

    /** [T, D] MoE input after RMSNorm. */
    public static String moeNorm(int i) {
        return layer(i, "moe_norm");
    }

    /** [T, E] router output before any softmax. */
    public static String routerLogits(int i) {
        return layer(i, "moe.router_logits");
    }

    /** [T, E] softmax over all E router logits. */
    public static String routerProbs(int i) {
        return layer(i, "moe.router_probs");
    }

    /** [T, K] I64, the chosen experts, highest weight first. */
    public static String selectedExperts(int i) {
        return layer(i, "moe.selected_experts");
    }

    /** [T, K] weights of the chosen experts, summing to 1 per token, in the order of selected_experts. */
    public static String routingWeights(int i) {
        return layer(i, "moe.routing_weights");
    }

    /** [T, D] output of the sparse MoE block. */
    public static String moeOut(int i) {
        return layer(i, "moe.out");
    }

    /** [T, D] residual stream after the layer. */
    public static String residPost(int i) {
        return layer(i, "resid_post");
    }

    /** The layer index of a per-layer name, or -1. */
    public static int layerOf(String name) {
        if (!name.startsWith("layers.")) {
            return -1;
        }
        int end = name.indexOf('.', 7);
        try {
            return Integer.parseInt(name.substring(7, end < 0 ? name.length() : end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The part after {@code layers.i.}, or the whole name for model-level tensors. */
    public static String leafOf(String name) {
        return layerOf(name) < 0 ? name : name.substring(name.indexOf('.', 7) + 1);
    }

    /** Whether a name is one of the routing decisions (what "--record routing" keeps). */
    public static boolean isRouting(String name) {
        String leaf = leafOf(name);
        return name.equals(TOKENS) || leaf.equals("moe.router_logits") || leaf.equals("moe.router_probs")
                || leaf.equals("moe.selected_experts") || leaf.equals("moe.routing_weights");
    }

    /** Whether a name holds integers (stored I64) rather than floats. */
    public static boolean isInteger(String name) {
        return name.equals(TOKENS) || leafOf(name).equals("moe.selected_experts");
    }
}
