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
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import mixtral.demo.DemoModel;
import mixtral.evidence.Sha256;
import mixtral.model.MixtralModel;
import mixtral.model.RoutingRule;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.Checkpoint;

/**
 * One golden case of the trained demo model: {@code golden/cases/trained/<name>/} holds what the published
 * implementation computed on one prompt (golden.safetensors) and where it came from (case.json: the text, the
 * sentencepiece token ids, the sha256 of the weights). The weights are the demo model's own ({@link DemoModel}).
 */
record TrainedCase(String name, Path dir) {
    static final Path CASES = Path.of("cases", "trained");
    static final String REGENERATE = "/usr/bin/python3 golden/generate_trained.py (environment in golden/README.md)";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Path, Trace> GOLDEN = new ConcurrentHashMap<>();
    private static final Map<String, Trace> OURS = new ConcurrentHashMap<>();
    private static MixtralModel model;
    private static String demoSha;

    /** Every case; fails (never skips) when they are missing or were made from other weights than the demo model's. */
    static List<TrainedCase> all() {
        List<TrainedCase> cases = found();
        String stale = staleness(cases);
        if (stale != null) {
            throw new IllegalStateException(stale);
        }
        return cases;
    }

    /** Every case under golden/cases/trained, whatever weights it was made from; fails when there is none. */
    static List<TrainedCase> found() {
        List<TrainedCase> cases = new ArrayList<>();
        if (Files.isDirectory(CASES)) {
            try (Stream<Path> dirs = Files.list(CASES)) {
                dirs.sorted().filter(d -> Files.isRegularFile(d.resolve("golden.safetensors")))
                        .forEach(d -> cases.add(new TrainedCase(d.getFileName().toString(), d)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (cases.isEmpty()) {
            throw new IllegalStateException("no golden cases for the demo model under golden/" + CASES
                    + ": generate them with " + REGENERATE);
        }
        return cases;
    }

    /** The one-line message for cases made from other weights than the demo model's now, or null. */
    static String staleness(List<TrainedCase> cases) {
        for (TrainedCase c : cases) {
            if (!c.madeFrom().equals(demoSha())) {
                return "golden cases for the demo model were made from weights " + c.madeFrom()
                        + ", the demo model is now " + demoSha() + ": regenerate with " + REGENERATE;
            }
        }
        return null;
    }

    JsonNode info() {
        try {
            return JSON.readTree(dir.resolve("case.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** sha256 of the model.safetensors the case was made from. */
    String madeFrom() {
        return info().path("model").path("model.safetensors_sha256").asText("(not recorded)");
    }

    String text() {
        return info().path("text").asText();
    }

    Trace golden() {
        return GOLDEN.computeIfAbsent(dir.resolve("golden.safetensors"), Trace::read);
    }

    long[] tokens() {
        return golden().get("tokens").toLongVector();
    }

    /** Our float32 reference on the demo model over this case's tokens, everything recorded but attention. */
    Trace ours() {
        return OURS.computeIfAbsent(name, n -> trace(model()));
    }

    /** A run with another routing rule: the negative controls. */
    Trace run(RoutingRule rule) {
        try (Checkpoint checkpoint = Checkpoint.open(DemoModel.folder())) {
            return trace(MixtralModel.load(checkpoint, rule));
        }
    }

    private Trace trace(MixtralModel m) {
        TraceRecorder rec = TraceRecorder.all(false);
        m.forward(tokens(), rec);
        return rec.toTrace(m.config());
    }

    /** The demo model, loaded once (all weights converted to float32, so the checkpoint can be closed). */
    static synchronized MixtralModel model() {
        if (model == null) {
            try (Checkpoint checkpoint = Checkpoint.open(DemoModel.folder())) {
                model = MixtralModel.load(checkpoint);
            }
        }
        return model;
    }

    static synchronized String demoSha() {
        if (demoSha == null) {
            demoSha = Sha256.of(DemoModel.folder().resolve("model.safetensors"));
        }
        return demoSha;
    }

    @Override
    public String toString() {
        return "trained/" + name;
    }
}
