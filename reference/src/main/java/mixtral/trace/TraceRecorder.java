package mixtral.trace;

import java.util.ArrayList;
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
        List<Pattern> patterns = globs.stream().map(TraceRecorder::glob).toList();
        return new TraceRecorder(name -> patterns.stream().anyMatch(p -> p.matcher(name).matches())
                && (attentionProbs || !TensorNames.is(name, TraceTensor.ATTN_PROBS) || explicitlyNamed(globs, name)));
    }

    /** {@code *} matches any characters, everything else itself. */
    private static Pattern glob(String g) {
        return Pattern.compile(Pattern.quote(g).replace("*", "\\E.*\\Q"));
    }

    private static boolean explicitlyNamed(List<String> globs, String name) {
        return globs.stream().anyMatch(g -> g.contains(TraceTensor.ATTN_PROBS.leaf()) || g.equals(name));
    }

    /** The patterns that name no tensor of a forward pass through this model: a typo would record an empty trace. */
    public static List<String> unmatched(List<String> globs, MixtralConfig c) {
        List<String> names = names(c);
        return globs.stream().filter(g -> {
            Pattern p = glob(g);
            return names.stream().noneMatch(n -> p.matcher(n).matches());
        }).toList();
    }

    /** Every tensor name of the trace format for a model of this configuration. */
    private static List<String> names(MixtralConfig c) {
        List<String> names = new ArrayList<>();
        for (TraceTensor t : TraceTensor.values()) {
            if (t.scope() == TraceTensor.Scope.MODEL) {
                names.add(t.leaf());
            } else {
                for (int l = 0; l < c.numHiddenLayers(); l++) {
                    names.add(t.at(l));
                }
            }
        }
        return names;
    }

    /**
     * What this recorder keeps of a forward pass of {@code tokens} tokens from position 0, from the shapes of the
     * trace format alone: its total bytes and its largest tensor's, to check them against memory before the pass.
     */
    public Size size(MixtralConfig c, int tokens) {
        long total = 0;
        long largest = 0;
        try {
            for (String name : names(c)) {
                if (wants(name)) {
                    TraceTensor t = TraceTensor.parse(name).orElseThrow().tensor();
                    long bytes = t.dtype() == TraceTensor.DType.I64 ? Long.BYTES : Float.BYTES;
                    for (long dim : t.expectedShape(c, tokens)) {
                        bytes = Math.multiplyExact(bytes, dim);
                    }
                    total = Math.addExact(total, bytes);
                    largest = Math.max(largest, bytes);
                }
            }
        } catch (ArithmeticException overflow) {
            return new Size(Long.MAX_VALUE, Long.MAX_VALUE);
        }
        return new Size(total, largest);
    }

    /** Bytes a recorder keeps: all its tensors, and the largest one. */
    public record Size(long bytes, long largestTensorBytes) {}

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
