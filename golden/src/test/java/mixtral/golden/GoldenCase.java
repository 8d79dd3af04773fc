package mixtral.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import mixtral.demo.DemoModel;
import mixtral.evidence.Sha256;
import mixtral.model.MixtralModel;
import mixtral.model.RoutingRule;
import mixtral.testing.GoldenCaseFolders;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.trace.TraceTensor;
import mixtral.weights.Checkpoint;
import mixtral.weights.WeightSource;

/**
 * One golden case in one checkpoint layout: the tokens, the weights they run on, and what the published
 * implementation computed there ({@code golden.safetensors}, described by {@code case.json}; see golden/README.md).
 *
 * <p>The cases differ only in their data. A random case ({@code cases/<name>/}) ships its weights beside the golden
 * file, in the Hugging Face layout and under {@code mistral/} in the Mistral-native one, and runs in both. A case of
 * the trained demo model ({@code cases/trained/<name>/}) runs on {@link DemoModel}'s weights; its golden file keeps
 * only some tensors, and its case.json adds the prompt's text (for the tokenizer check) and the sha256 of the
 * weights it was made from (for the staleness check).
 *
 * @param name     the case's folder below golden/cases, e.g. {@code moe8_top2_gqa} or {@code trained/en}
 * @param layout   how its weights are read: {@code hf} or {@code mistral}
 * @param modelDir the checkpoint folder the case runs on
 * @param dir      the folder holding golden.safetensors and case.json
 */
record GoldenCase(String name, String layout, Path modelDir, Path dir) {
    static final Path CASES = Path.of("cases");
    static final String TRAINED = "trained";
    static final String REGENERATE_TRAINED =
            "/usr/bin/python3 golden/generate_trained.py (environment in golden/README.md)";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Path, Trace> GOLDEN = new ConcurrentHashMap<>();
    private static final Map<GoldenCase, Trace> OURS = new ConcurrentHashMap<>();
    private static final Map<Path, MixtralModel> MODELS = new ConcurrentHashMap<>();
    private static final Map<Path, String> SHA256 = new ConcurrentHashMap<>();

    /** Every case: the random ones in both layouts, then the demo model's; fails (never skips) when any is missing. */
    static List<GoldenCase> all() {
        List<GoldenCase> cases = new ArrayList<>();
        for (Path dir : GoldenCaseFolders.under(CASES, "they are committed under golden/cases")) {
            String name = dir.getFileName().toString();
            cases.add(new GoldenCase(name, "hf", dir, dir));
            if (Files.isDirectory(dir.resolve("mistral"))) {
                cases.add(new GoldenCase(name, "mistral", dir.resolve("mistral"), dir));
            }
        }
        for (Path dir : GoldenCaseFolders.under(CASES.resolve(TRAINED), "generate them with " + REGENERATE_TRAINED)) {
            cases.add(new GoldenCase(TRAINED + "/" + dir.getFileName(), "hf", DemoModel.folder(), dir));
        }
        return cases;
    }

    static GoldenCase find(String name, String layout) {
        return all().stream().filter(c -> c.name.equals(name) && c.layout.equals(layout)).findFirst()
                .orElseThrow(() -> new IllegalStateException("golden case " + name + " [" + layout + "] missing"));
    }

    JsonNode info() {
        try {
            return JSON.readTree(dir.resolve("case.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The prompt's text, for the cases made from text (the demo model's); the random cases start from token ids. */
    Optional<String> text() {
        return Optional.ofNullable(info().get("text")).map(JsonNode::asText);
    }

    /** The one-line reason why the case no longer fits the weights it runs on; empty when it does or cannot tell. */
    Optional<String> staleness() {
        JsonNode madeFrom = info().path("model").get("model.safetensors_sha256");
        if (madeFrom == null) {
            return Optional.empty();
        }
        Path weights = modelDir.resolve("model.safetensors");
        String now = SHA256.computeIfAbsent(weights, Sha256::of);
        return madeFrom.asText().equals(now) ? Optional.empty() : Optional.of("golden case " + this
                + " was made from weights " + madeFrom.asText() + ", " + weights + " is now " + now
                + ": regenerate with " + REGENERATE_TRAINED);
    }

    Trace golden() {
        return GOLDEN.computeIfAbsent(dir.resolve("golden.safetensors"), Trace::read);
    }

    /** The prompt; a case made from other weights than those it runs on fails here, saying so, before any number. */
    long[] tokens() {
        staleness().ifPresent(why -> {
            throw new IllegalStateException(why);
        });
        return golden().get(TensorNames.TOKENS).toLongVector();
    }

    boolean recordsAttention() {
        return golden().tensors().keySet().stream().anyMatch(n -> TensorNames.is(n, TraceTensor.ATTN_PROBS));
    }

    /** Our float32 model on this case's weights, loaded once (every weight converted, so the checkpoint is closed). */
    MixtralModel model() {
        return MODELS.computeIfAbsent(modelDir, d -> {
            try (Checkpoint checkpoint = Checkpoint.open(d)) {
                return MixtralModel.load(checkpoint);
            }
        });
    }

    /** Our trace of this case, with everything the golden file may hold recorded. */
    Trace ours() {
        return OURS.computeIfAbsent(this, c -> c.trace(c.model()));
    }

    /** A run with the weights or the routing rule altered: the negative controls. */
    Trace run(UnaryOperator<WeightSource> alterWeights, RoutingRule rule) {
        try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
            return trace(MixtralModel.load(alterWeights.apply(checkpoint), rule));
        }
    }

    private Trace trace(MixtralModel m) {
        TraceRecorder rec = TraceRecorder.all(recordsAttention());
        m.forward(tokens(), rec);
        return rec.toTrace(m.config());
    }

    @Override
    public String toString() {
        return name + " [" + layout + "]";
    }
}
