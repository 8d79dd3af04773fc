package mixtral.engines.jlama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tjake.jlama.model.JlamaTap;
import com.github.tjake.jlama.model.WeightedMoe;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.stream.Stream;
import mixtral.compare.Report;
import mixtral.compare.ReportPrinter;
import mixtral.compare.Tolerances;
import mixtral.compare.TraceComparison;
import mixtral.model.MixtralModel;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.Checkpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The adapter proves itself: Jlama with its MoE corrected (test-only {@link WeightedMoe}) agrees with the reference
 * within float32 tolerance on every golden case Jlama can read, by both of its paths, with the same experts, every
 * tensor the adapter records required; stock Jlama fails the same check, first at layer 0's MoE. Runs in the surefire
 * execution whose JVM has vectors that fit every case's heads (see pom.xml); the demo model's cases run in both.
 */
class JlamaFaithfulnessTest {
    static final List<String> REQUIRED = List.of("embed", "layers.*.attn_norm", "layers.*.attn.out",
            "layers.*.resid_mid", "layers.*.moe_norm", "layers.*.moe.router_logits", "layers.*.moe.router_probs",
            "layers.*.moe.selected_experts", "layers.*.moe.routing_weights", "layers.*.moe.out", "layers.*.resid_post",
            "final_norm", "logits");

    @BeforeEach
    void jdkHasTheVectorApi() {
        JlamaRuntime.require();
    }

    static Stream<GoldenCases> cases() {
        return Stream.concat(GoldenCases.random().stream(), GoldenCases.trained().stream())
                .filter(JlamaFaithfulnessTest::fitsThisJvm);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void correctedMoeAgreesWithTheReferenceByBothPaths(GoldenCases c) {
        for (JlamaTap.Path path : JlamaTap.Path.values()) {
            Trace jlama = JlamaEngine.trace(c.modelDir(), c.tokens(), JlamaEngine.Precision.F32, path,
                    WeightedMoe::new, " (MoE corrected)");
            Report r = compare(c, jlama);
            assertTrue(r.passed(), () -> c + " " + path + ":\n" + text(r));
            assertEquals(List.of(), r.flips(), c + " " + path + ": Jlama chose other experts");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stockJlamaFailsAtLayerZerosMoeUnlessOneExpertRunsOneToken(GoldenCases c) {
        int k = mixtral.config.ConfigReader.readFolder(c.modelDir()).numExpertsPerTok();
        for (JlamaTap.Path path : JlamaTap.Path.values()) {
            Report r = compare(c, JlamaEngine.trace(c.modelDir(), c.tokens(), JlamaEngine.Precision.F32, path));
            if (k == 1 && (path == JlamaTap.Path.TOKEN || c.tokens().length == 1)) {
                assertTrue(r.passed(), () -> c + " " + path + ": with one expert per token its weight is 1, and one "
                        + "row per call never meets the batch fault:\n" + text(r));
                continue;
            }
            assertFalse(r.passed(), c + " " + path + ": stock Jlama must fail");
            assertEquals(0, r.first().layer(), () -> c + " " + path + ": " + r.first());
            assertTrue(r.first().tensor().startsWith("layers.0.moe."), () -> c + " " + path + ": " + r.first());
            boolean attentionAgrees = r.tensors().stream()
                    .filter(d -> d.name().equals("layers.0.attn.out") || d.name().equals("layers.0.moe_norm"))
                    .allMatch(Report.TensorDiff::within);
            assertTrue(attentionAgrees, () -> c + " " + path + ": everything before the MoE agrees:\n" + text(r));
        }
    }

    /**
     * Jlama's vector operations need heads a whole number of this JVM's vectors: pom.xml runs this test again in a JVM
     * held to 256-bit vectors ({@code mixtral.jlama.cases=narrow}) for the cases whose heads 512-bit vectors overrun.
     */
    static boolean fitsThisJvm(GoldenCases c) {
        int headDim = mixtral.config.ConfigReader.readFolder(c.modelDir()).headDim();
        boolean narrowRun = "narrow".equals(System.getProperty("mixtral.jlama.cases"));
        return headDim % jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() == 0
                && (!narrowRun || JlamaLauncher.maxVectorBytes(headDim) < 64);
    }

    @Test
    void everyGoldenCaseFitsTheNarrowRun() {
        Stream.concat(GoldenCases.random().stream(), GoldenCases.trained().stream()).forEach(c -> assertTrue(
                JlamaLauncher.maxVectorBytes(mixtral.config.ConfigReader.readFolder(c.modelDir()).headDim()) >= 32,
                c + ": its heads fit neither JVM pom.xml runs this test in"));
    }

    static Report compare(GoldenCases c, Trace jlama) {
        try (Checkpoint checkpoint = Checkpoint.open(c.modelDir())) {
            MixtralModel model = MixtralModel.load(checkpoint);
            TraceRecorder rec = TraceRecorder.all(false);
            model.forward(c.tokens(), rec);
            return TraceComparison.compare(rec.toTrace(model.config()), jlama, Tolerances.DEFAULT,
                    new TraceComparison.Options(REQUIRED, model));
        }
    }

    static String text(Report r) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ReportPrinter.print(r, "reference", "Jlama", new PrintStream(b, true));
        return b.toString();
    }
}
