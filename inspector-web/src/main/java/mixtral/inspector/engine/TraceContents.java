package mixtral.inspector.engine;

import java.util.EnumSet;
import java.util.Set;
import mixtral.config.MixtralConfig;
import mixtral.inspector.analysis.TraceAnalysis;
import mixtral.trace.TensorNames;
import mixtral.trace.TraceRecorder;
import mixtral.trace.TraceTensor;

/**
 * What a trace made by the inspector records. Small models get every tensor of the trace format (attention
 * probabilities aside), so a download is a complete trace for {@code ./mixtral compare}. A full-size model's complete
 * trace would hold seven [T, D] activations per layer (Mixtral 8x7B: 3.8 MB per token), so beyond a byte budget only
 * what the views read is kept: the routing tensors, {@code resid_post}, {@code attn.out}, {@code moe.out} and the
 * logits. The trace format allows any subset.
 */
public final class TraceContents {
    /** A complete trace up to this size; for the demo model that is over 5,000 tokens, for 8x7B about 70. */
    public static final long FULL_TRACE_BUDGET_BYTES = 256L << 20;

    /** Leaves per layer that a complete trace records ([T, D] activations), attention probabilities excepted. */
    private static final int FULL_ACTIVATIONS_PER_LAYER = 7;
    private static final Set<TraceTensor> VIEWED = viewed();

    private TraceContents() {}

    /** A recorder for {@code tokens} tokens: everything if that fits {@code budgetBytes}, else what the views read. */
    public static TraceRecorder recorder(MixtralConfig c, int tokens, long budgetBytes) {
        return isComplete(c, tokens, budgetBytes) ? TraceRecorder.all(false)
                : new TraceRecorder(name -> TensorNames.tensorOf(name).filter(VIEWED::contains).isPresent());
    }

    private static Set<TraceTensor> viewed() {
        Set<TraceTensor> v = EnumSet.of(TraceTensor.TOKENS, TraceTensor.LOGITS);
        v.addAll(TraceAnalysis.NORM_VIEWS);
        for (TraceTensor t : TraceTensor.values()) {
            if (t.role() == TraceTensor.Role.ROUTING) {
                v.add(t);
            }
        }
        return v;
    }

    /** Whether a trace of {@code tokens} tokens records every tensor (see the class comment). */
    public static boolean isComplete(MixtralConfig c, int tokens, long budgetBytes) {
        long floatsPerToken = (long) c.numHiddenLayers() * FULL_ACTIVATIONS_PER_LAYER * c.hiddenSize() + c.vocabSize();
        return tokens * floatsPerToken * Float.BYTES <= budgetBytes;
    }
}
