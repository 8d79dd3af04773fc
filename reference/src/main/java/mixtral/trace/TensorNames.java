package mixtral.trace;

import java.util.Comparator;
import java.util.Optional;
import mixtral.trace.TraceTensor.Ref;

/**
 * Recorded tensor names, as {@link TraceTensor} defines them: short ways to spell a name at a call site, and the
 * questions readers ask of a name. Nothing here spells a name of its own.
 */
public final class TensorNames {
    public static final String TOKENS = TraceTensor.TOKENS.leaf();
    public static final String EMBED = TraceTensor.EMBED.leaf();
    public static final String FINAL_NORM = TraceTensor.FINAL_NORM.leaf();
    public static final String LOGITS = TraceTensor.LOGITS.leaf();

    private TensorNames() {}

    public static String attnNorm(int i) {
        return TraceTensor.ATTN_NORM.at(i);
    }

    public static String attnOut(int i) {
        return TraceTensor.ATTN_OUT.at(i);
    }

    public static String attnProbs(int i) {
        return TraceTensor.ATTN_PROBS.at(i);
    }

    public static String residMid(int i) {
        return TraceTensor.RESID_MID.at(i);
    }

    public static String moeNorm(int i) {
        return TraceTensor.MOE_NORM.at(i);
    }

    public static String routerLogits(int i) {
        return TraceTensor.ROUTER_LOGITS.at(i);
    }

    public static String routerProbs(int i) {
        return TraceTensor.ROUTER_PROBS.at(i);
    }

    public static String selectedExperts(int i) {
        return TraceTensor.SELECTED_EXPERTS.at(i);
    }

    public static String routingWeights(int i) {
        return TraceTensor.ROUTING_WEIGHTS.at(i);
    }

    public static String moeOut(int i) {
        return TraceTensor.MOE_OUT.at(i);
    }

    public static String residPost(int i) {
        return TraceTensor.RESID_POST.at(i);
    }

    /** The format's tensor a name refers to, if it is one. */
    public static Optional<TraceTensor> tensorOf(String name) {
        return TraceTensor.parse(name).map(Ref::tensor);
    }

    /** Whether the name is {@code tensor} (at any layer). */
    public static boolean is(String name, TraceTensor tensor) {
        return tensorOf(name).orElse(null) == tensor;
    }

    /** The layer index of a per-layer name, or -1. */
    public static int layerOf(String name) {
        return TraceTensor.layerOf(name);
    }

    /** The part after {@code layers.i.}, or the whole name for model-level tensors. */
    public static String leafOf(String name) {
        return TraceTensor.leafOf(name);
    }

    /** Whether a name is one of the routing decisions (what "--record routing" keeps). */
    public static boolean isRouting(String name) {
        return tensorOf(name).map(TraceTensor::inRoutingRecord).orElse(false);
    }

    /** Whether a name holds integers (stored I64) rather than floats. */
    public static boolean isInteger(String name) {
        return tensorOf(name).map(t -> t.dtype() == TraceTensor.DType.I64).orElse(false);
    }

    /**
     * Orders names as the forward pass produces them: tokens, embed, each layer's tensors in order, final_norm,
     * logits; names this project does not know come last, alphabetically.
     */
    public static final Comparator<String> FORWARD_ORDER = Comparator
            .comparingInt(TensorNames::stage)
            .thenComparingInt(TensorNames::layerOf)
            .thenComparingInt(n -> tensorOf(n).map(Enum::ordinal).orElse(Integer.MAX_VALUE))
            .thenComparing(n -> n);

    /** 0 before the layers, 1 in them, 2 after them, 3 unknown. */
    private static int stage(String name) {
        Optional<TraceTensor> t = tensorOf(name);
        if (t.isEmpty()) {
            return 3;
        }
        if (t.get().scope() == TraceTensor.Scope.LAYER) {
            return 1;
        }
        return t.get().ordinal() < TraceTensor.ATTN_NORM.ordinal() ? 0 : 2;
    }
}
