package mixtral.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import mixtral.demo.DemoModel;
import mixtral.golden.GoldenCheck.Difference;
import mixtral.model.Generator;
import mixtral.model.KvCache;
import mixtral.model.MixtralModel;
import mixtral.tokenizer.Tokenizer;
import mixtral.trace.Recorder;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Our float32 reference against the published implementation's float32 outputs (Hugging Face transformers
 * {@code MixtralForCausalLM}, see golden/README.md), case by case, layout by layout, tensor by tensor: on the random
 * checkpoints and on the trained demo model, with the same bounds.
 */
class GoldenTest {
    private static final String GENERATED_LOGITS = "generated_logits";
    /** Largest scaled error per case and layout, printed at the end and written to target/golden-report.txt. */
    private static final Map<String, String> REACHED = new ConcurrentSkipListMap<>();

    static Stream<Arguments> tensors() {
        return cases().flatMap(c -> c.golden().tensors().keySet().stream()
                .filter(n -> !TensorNames.isInteger(n) && !n.startsWith("generated_"))
                .map(n -> Arguments.of(c, n)));
    }

    static Stream<GoldenCase> cases() {
        return GoldenCase.all().stream();
    }

    static Stream<GoldenCase> casesFromText() {
        return cases().filter(c -> c.text().isPresent());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tensors")
    void tensorMatchesThePublishedImplementation(GoldenCase c, String name) {
        Trace golden = c.golden();
        Trace ours = c.ours();
        assertTrue(ours.has(name), c + ": our trace lacks " + name);
        assertArrayEquals(golden.get(name).shape(), ours.get(name).shape(), c + " " + name + ": shape");
        double err = GoldenCheck.scaledError(golden, ours, name);
        reached(c, name, err, golden.get(name), ours.get(name));
        assertTrue(err <= GoldenCheck.MAX_SCALED_ERROR, () -> String.format("%s %s: scaled max error %.3e > %.0e; %s",
                c, name, err, GoldenCheck.MAX_SCALED_ERROR, GoldenCheck.firstDivergence(golden, ours)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void expertSelectionsMatchWhereverTheRouterWasDecided(GoldenCase c) {
        Trace golden = c.golden();
        Trace ours = c.ours();
        for (int layer = 0; layer < ours.config().numHiddenLayers(); layer++) {
            assertEquals(0, GoldenCheck.clearFlips(golden, ours, layer), c + " layer " + layer
                    + ": experts differ at a clear margin; " + GoldenCheck.firstDivergence(golden, ours));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void greedyGenerationMatches(GoldenCase c) {
        long[] expected = c.golden().get("generated_tokens").toLongVector();
        long[] ours = Generator.generate(c.model(), c.tokens(), Generator.Settings.greedy(expected.length));
        assertArrayEquals(expected, ours, c + ": greedy tokens");
    }

    /**
     * The logits generate() chose from, step by step through our KV cache, fed the published model's tokens: step 0
     * is the last prompt token's row of the prefill, step n the logits of generated token n-1 alone.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsOfEachDecodingStepMatch(GoldenCase c) {
        INDArray golden = c.golden().get(GENERATED_LOGITS);                             // [N, V]
        long[] generated = c.golden().get("generated_tokens").toLongVector();
        MixtralModel model = c.model();
        KvCache cache = model.newCache();
        INDArray prefill = model.forward(c.tokens(), cache, Recorder.NONE);             // [T, V]
        INDArray step = prefill.getRow(prefill.rows() - 1);
        for (int n = 0; n < golden.rows(); n++) {
            INDArray expected = golden.getRow(n);
            INDArray ours = step;
            double err = GoldenCheck.scaledError(expected, ours);
            String what = String.format("%s decoding step %d", c, n);
            reached(c, GENERATED_LOGITS + "[" + n + "]", err, expected, ours);
            assertTrue(err <= GoldenCheck.MAX_SCALED_ERROR, () -> String.format(
                    "%s: scaled max logit error %.3e > %.0e; over the vocabulary, %s", what, err,
                    GoldenCheck.MAX_SCALED_ERROR, Difference.largest(expected, ours)));
            if (n + 1 < golden.rows()) {
                step = model.forward(new long[] {generated[n]}, cache, Recorder.NONE).getRow(0);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("casesFromText")
    void ourTokenizerGivesSentencepieceIds(GoldenCase c) {
        String text = c.text().orElseThrow();
        int[] ours = Tokenizer.findInModelFolder(c.modelDir()).encode(text, true);
        assertArrayEquals(c.tokens(), Arrays.stream(ours).asLongStream().toArray(),
                c + ": token ids of \"" + text + "\"");
    }

    @Test
    void everyCaseWasMadeFromTheWeightsItRunsOnAsTheyAreNow() {
        List<String> stale = cases().map(GoldenCase::staleness).flatMap(Optional::stream).toList();
        assertEquals(List.of(), stale, String.join("\n", stale));
    }

    /** tokenizer goldens (golden/tokenizer/demo-ids.jsonl) are made from trained-model/tokenizer.model. */
    @Test
    void demoModelShipsTheTokenizerThatTheTokenizerGoldensCover() throws IOException {
        Path shipped = DemoModel.folder().resolve("tokenizer.model");
        Path trained = Path.of("..", "trained-model", "tokenizer.model");
        assertEquals(-1, Files.mismatch(shipped, trained), shipped + " differs from " + trained.normalize());
    }

    private static void reached(GoldenCase c, String name, double err, INDArray golden, INDArray ours) {
        String line = String.format("%.2e %s (max |diff| %.2e)", err, name, Difference.largest(golden, ours).abs());
        REACHED.merge(c.toString(), line,
                (a, b) -> Double.parseDouble(a.split(" ")[0]) >= Double.parseDouble(b.split(" ")[0]) ? a : b);
    }

    @AfterAll
    static void report() throws IOException {
        StringBuilder sb = new StringBuilder(
                "largest scaled error per case (max |ours - golden| / max(1, max |golden|)):\n");
        new TreeMap<>(REACHED).forEach((c, e) -> sb.append(String.format("  %-32s %s%n", c, e)));
        System.out.print(sb);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "golden-report.txt"), sb);
    }
}
