package mixtral.golden;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import mixtral.model.MixtralModel;
import mixtral.model.RoutingRule;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.Checkpoint;
import mixtral.weights.WeightSource;

/**
 * One golden case in one checkpoint layout: {@code golden/cases/<name>/} holds the Hugging Face layout and the
 * published implementation's tensors, {@code mistral/} beside them the same weights in Mistral-native layout.
 */
record GoldenCase(String name, String layout, Path modelDir, Path goldenFile) {
    static final Path CASES = Path.of("cases");
    /** Our traces, computed once per case and layout and shared by the parameterized tests. */
    private static final Map<GoldenCase, Trace> OURS = new ConcurrentHashMap<>();
    private static final Map<Path, Trace> GOLDEN = new ConcurrentHashMap<>();

    /** Every case in both layouts; fails (never skips) when the committed cases are missing. */
    static List<GoldenCase> all() {
        if (!Files.isDirectory(CASES)) {
            throw new IllegalStateException("golden cases not found at " + CASES.toAbsolutePath()
                    + "; they are committed under golden/cases");
        }
        List<GoldenCase> cases = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(CASES)) {
            for (Path dir : dirs.sorted().toList()) {
                if (!Files.isRegularFile(dir.resolve("golden.safetensors"))) {
                    continue;
                }
                String name = dir.getFileName().toString();
                cases.add(new GoldenCase(name, "hf", dir, dir.resolve("golden.safetensors")));
                if (Files.isDirectory(dir.resolve("mistral"))) {
                    cases.add(new GoldenCase(name, "mistral", dir.resolve("mistral"), dir.resolve("golden.safetensors")));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (cases.isEmpty()) {
            throw new IllegalStateException("no golden cases under " + CASES.toAbsolutePath());
        }
        return cases;
    }

    Trace golden() {
        return GOLDEN.computeIfAbsent(goldenFile, Trace::read);
    }

    long[] tokens() {
        return golden().get("tokens").toLongVector();
    }

    boolean recordsAttention() {
        return golden().tensors().keySet().stream().anyMatch(n -> n.endsWith("attn.probs"));
    }

    /** Our float32 reference on this case, everything recorded. */
    Trace ours() {
        return OURS.computeIfAbsent(this, c -> c.run(w -> w, RoutingRule.MIXTRAL));
    }

    /** A run with the weights or the routing rule altered: the negative controls. */
    Trace run(java.util.function.UnaryOperator<WeightSource> alterWeights, RoutingRule rule) {
        try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
            MixtralModel model = MixtralModel.load(alterWeights.apply(checkpoint), rule);
            TraceRecorder rec = TraceRecorder.all(recordsAttention());
            model.forward(tokens(), rec);
            return rec.toTrace(checkpoint.config());
        }
    }

    @Override
    public String toString() {
        return name + " [" + layout + "]";
    }
}
