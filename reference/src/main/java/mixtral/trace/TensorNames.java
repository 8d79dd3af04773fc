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

    private static final java.util.List<String> LEAF_ORDER = java.util.List.of(
            "attn_norm", "attn.probs", "attn.out", "resid_mid", "moe_norm", "moe.router_logits", "moe.router_probs",
            "moe.selected_experts", "moe.routing_weights", "moe.out", "resid_post");

    /**
     * Orders names as the forward pass produces them: tokens, embed, each layer's tensors in order, final_norm,
     * logits; names this project does not know come last, alphabetically.
     */
    public static final java.util.Comparator<String> FORWARD_ORDER = java.util.Comparator
            .comparingInt(TensorNames::stage)
            .thenComparingInt(TensorNames::layerOf)
            .thenComparingInt(n -> LEAF_ORDER.indexOf(leafOf(n)))
            .thenComparing(n -> n);

    private static int stage(String name) {
        return switch (name) {
            case TOKENS -> 0;
            case EMBED -> 1;
            case FINAL_NORM -> 3;
            case LOGITS -> 4;
            default -> layerOf(name) >= 0 && LEAF_ORDER.contains(leafOf(name)) ? 2 : 5;
        };
    }

    /** Whether a name holds integers (stored I64) rather than floats. */
    public static boolean isInteger(String name) {
        return name.equals(TOKENS) || leafOf(name).equals("moe.selected_experts");
    }
}
