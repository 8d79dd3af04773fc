package mixtral.trace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import mixtral.config.MixtralConfig;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Keeps a copy of the tensors its filter selects, in the order the forward pass produced them. */
public final class TraceRecorder implements Recorder {
    private final Predicate<String> filter;
    private final Map<String, INDArray> tensors = new LinkedHashMap<>();

    public TraceRecorder(Predicate<String> filter) {
        this.filter = filter;
    }

    /** Every tensor of the trace format; attention probabilities ([H, T, T] per layer) only if asked for. */
    public static TraceRecorder all(boolean attentionProbs) {
        return new TraceRecorder(name -> attentionProbs || !TensorNames.is(name, TraceTensor.ATTN_PROBS));
    }

    /** The routing decisions only: router logits and probabilities, chosen experts and their weights. */
    public static TraceRecorder routing() {
        return new TraceRecorder(TensorNames::isRouting);
    }

    /**
     * Tensors whose name matches any of the glob patterns ({@code *} matches any characters, e.g.
     * {@code layers.*.moe.*}); attention probabilities only if a pattern names them or {@code attentionProbs}.
     */
    public static TraceRecorder matching(List<String> globs, boolean attentionProbs) {
        List<Pattern> patterns = globs.stream()
                .map(g -> Pattern.compile(Pattern.quote(g).replace("*", "\\E.*\\Q")))
                .toList();
        return new TraceRecorder(name -> patterns.stream().anyMatch(p -> p.matcher(name).matches())
                && (attentionProbs || !TensorNames.is(name, TraceTensor.ATTN_PROBS) || explicitlyNamed(globs, name)));
    }

    private static boolean explicitlyNamed(List<String> globs, String name) {
        return globs.stream().anyMatch(g -> g.contains(TraceTensor.ATTN_PROBS.leaf()) || g.equals(name));
    }

    @Override
    public boolean wants(String name) {
        return filter.test(name);
    }

    @Override
    public void record(String name, INDArray value) {
        if (filter.test(name)) {
            try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {   // see MixtralModel
                tensors.put(name, value.dup('c'));
            }
        }
    }

    public Map<String, INDArray> tensors() {
        return tensors;
    }

    public Trace toTrace(MixtralConfig config) {
        return Trace.of(config, tensors);
    }
}
