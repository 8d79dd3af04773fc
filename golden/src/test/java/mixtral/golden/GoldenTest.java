package mixtral.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import mixtral.model.Generator;
import mixtral.model.MixtralModel;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.weights.Checkpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our float32 reference against the published implementation's float32 outputs (Hugging Face transformers
 * {@code MixtralForCausalLM}, see golden/README.md), case by case, layout by layout, tensor by tensor.
 */
class GoldenTest {
    /** Largest scaled error per case and layout, printed at the end and written to target/golden-report.txt. */
    private static final Map<String, String> REACHED = new ConcurrentSkipListMap<>();

    static Stream<Arguments> tensors() {
        return GoldenCase.all().stream().flatMap(c -> c.golden().tensors().keySet().stream()
                .filter(n -> !TensorNames.isInteger(n) && !n.startsWith("generated_"))
                .map(n -> Arguments.of(c, n)));
    }

    static Stream<GoldenCase> cases() {
        return GoldenCase.all().stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tensors")
    void tensorMatchesThePublishedImplementation(GoldenCase c, String name) {
        Trace golden = c.golden();
        Trace ours = c.ours();
        assertTrue(ours.has(name), c + ": our trace lacks " + name);
        assertArrayEquals(golden.get(name).shape(), ours.get(name).shape(), c + " " + name + ": shape");
        double err = GoldenCheck.scaledError(golden, ours, name);
        REACHED.merge(c.toString(), String.format("%.2e %s", err, name),
                (a, b) -> Double.parseDouble(a.split(" ")[0]) >= Double.parseDouble(b.split(" ")[0]) ? a : b);
        assertTrue(err <= GoldenCheck.MAX_SCALED_ERROR, () -> String.format(
                "%s %s: scaled max error %.3e > %.0e; %s", c, name, err, GoldenCheck.MAX_SCALED_ERROR,
                GoldenCheck.firstDivergence(golden, ours)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void expertSelectionsMatchWhereverTheRouterWasDecided(GoldenCase c) {
        Trace golden = c.golden();
        Trace ours = c.ours();
        int layers = ours.config().numHiddenLayers();
        for (int layer = 0; layer < layers; layer++) {
            assertEquals(0, GoldenCheck.clearFlips(golden, ours, layer),
                    c + " layer " + layer + ": experts differ at a clear margin; " + GoldenCheck.firstDivergence(golden, ours));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void greedyGenerationMatches(GoldenCase c) {
        long[] expected = c.golden().get("generated_tokens").toLongVector();
        try (Checkpoint checkpoint = Checkpoint.open(c.modelDir())) {
            long[] ours = Generator.generate(MixtralModel.load(checkpoint), c.tokens(),
                    Generator.Settings.greedy(expected.length));
            assertArrayEquals(expected, ours, c + ": greedy tokens");
        }
    }

    @AfterAll
    static void report() throws IOException {
        StringBuilder sb = new StringBuilder("largest scaled error per case (max |ours - golden| / max(1, max |golden|)):\n");
        new TreeMap<>(REACHED).forEach((c, e) -> sb.append(String.format("  %-32s %s%n", c, e)));
        System.out.print(sb);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "golden-report.txt"), sb);
    }
}
