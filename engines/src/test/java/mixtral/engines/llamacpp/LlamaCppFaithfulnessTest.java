package mixtral.engines.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import mixtral.BadInputException;
import mixtral.compare.Report;
import mixtral.compare.ReportPrinter;
import mixtral.compare.Tolerances;
import mixtral.compare.TraceComparison;
import mixtral.config.MixtralConfig;
import mixtral.gguf.GgmlType;
import mixtral.gguf.MixtralGguf;
import mixtral.model.MixtralModel;
import mixtral.testing.Prerequisites;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.Checkpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The adapter proves itself: on F32 GGUF, llama.cpp agrees with the reference within float32 tolerance on every
 * golden case, every tensor of the trace format, with the same experts everywhere; and a GGUF whose q/k rows were
 * left in Hugging Face's order, the classic conversion bug, fails the same check.
 */
class LlamaCppFaithfulnessTest {
    /** Every tensor llama.cpp exposes must be there, so a silently missing one cannot make the check pass. */
    static final List<String> REQUIRED = List.of("embed", "layers.*.attn_norm", "layers.*.attn.probs",
            "layers.*.attn.out", "layers.*.resid_mid", "layers.*.moe_norm", "layers.*.moe.router_logits",
            "layers.*.moe.router_probs", "layers.*.moe.selected_experts", "layers.*.moe.routing_weights",
            "layers.*.moe.out", "layers.*.resid_post", "final_norm", "logits");

    /** Largest scaled error per case, written to target/llamacpp-faithfulness.txt for docs/engines.md. */
    private static final Map<String, Double> REACHED = new ConcurrentSkipListMap<>();

    @TempDir
    Path tmp;

    @AfterAll
    static void writeReport() throws IOException {
        StringBuilder s = new StringBuilder("largest scaled error, llama.cpp F32 vs the reference, per golden case\n");
        REACHED.forEach((c, e) -> s.append(String.format(Locale.ROOT, "%-32s %.2e%n", c, e)));
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "llamacpp-faithfulness.txt"), s);
    }

    /** Each test, not the class, is skipped (or failed under CI=true) with the reason, so the report counts it. */
    @BeforeEach
    void librariesArePresent() {
        LlamaCppLibraries.missing().ifPresent(why -> {
            throw Prerequisites.missing(why);
        });
    }

    static Stream<GoldenCases> cases() {
        return GoldenCases.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void f32AgreesWithTheReferenceWithTheSameExperts(GoldenCases c) {
        try (Checkpoint checkpoint = Checkpoint.open(c.modelDir())) {
            MixtralModel model = MixtralModel.load(checkpoint);
            long[] tokens = withinWindow(model.config(), c.tokens());
            Trace llama = LlamaCppEngine.trace(c.modelDir(), tokens, GgmlType.F32, true);
            Report r = compare(model, tokens, llama);
            assertTrue(r.passed(), () -> c + ":\n" + text(r));
            assertEquals(List.of(), r.flips(), c + ": llama.cpp chose other experts");
            double worst = r.tensors().stream().mapToDouble(Report.TensorDiff::scaledMaxError).max().orElse(0);
            REACHED.put(c.name(), worst);
            assertTrue(worst < 1e-5,
                    () -> c + ": a scaled error above 1e-5:\n" + text(r));
        }
    }

    @Test
    void qkRowsLeftInHuggingFaceOrderAreCaught() {
        GoldenCases c = GoldenCases.named("moe8_top2_gqa [hf]");
        try (Checkpoint checkpoint = Checkpoint.open(c.modelDir())) {
            MixtralModel model = MixtralModel.load(checkpoint);
            Path gguf = tmp.resolve("unpermuted.gguf");
            MixtralGguf.write(new UnpermutedRows(checkpoint), c.modelDir(), GgmlType.F32, gguf);
            Trace llama = LlamaCppEngine.trace(gguf, model.config(), c.tokens(), "F32 unpermuted", true);
            Report r = compare(model, c.tokens(), llama);
            assertFalse(r.passed(), "q/k rows in the wrong RoPE order must fail");
            assertEquals(0, r.first().layer(), "attention of layer 0 is already wrong: " + r.first());
        }
    }

    @Test
    void aSequenceLongerThanTheSlidingWindowIsRefused() {
        GoldenCases c = GoldenCases.named("sliding_window [hf]");
        BadInputException e = assertThrows(BadInputException.class,
                () -> LlamaCppEngine.trace(c.modelDir(), c.tokens(), GgmlType.F32, false));
        assertTrue(e.getMessage().contains("sliding window of 8"), e.getMessage());
    }

    static String text(Report r) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        ReportPrinter.print(r, "reference", "llama.cpp", new java.io.PrintStream(b, true));
        return b.toString();
    }

    /** llama.cpp's llama architecture has no sliding window: within it, every model agrees with full attention. */
    private static long[] withinWindow(MixtralConfig c, long[] tokens) {
        return c.slidingWindow() == null ? tokens : Arrays.copyOf(tokens, Math.min(tokens.length, c.slidingWindow()));
    }

    private static Report compare(MixtralModel model, long[] tokens, Trace llama) {
        TraceRecorder rec = TraceRecorder.all(true);
        model.forward(tokens, rec);
        return TraceComparison.compare(rec.toTrace(model.config()), llama, Tolerances.DEFAULT,
                new TraceComparison.Options(REQUIRED, model));
    }
}
