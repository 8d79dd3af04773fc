package mixtral.engines.jlama;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tjake.jlama.model.JlamaTap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import mixtral.weights.Checkpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What stock Jlama's MoE output equals, recomputed independently (double precision, from the checkpoint's expert
 * weights) from Jlama's own MoE input and its own chosen experts, in the order its MoE summed them. Token by token:
 * the sum of the chosen experts' outputs, with no routing weight. As one batch, the rows are also misassembled: row 0
 * holds the last token's first expert's output alone (each token's first output is copied to offset 0), every other
 * row the sum of its other experts' outputs. Each formula is checked beside the published one (weights = softmax over
 * the chosen), which must not match. Numbers go to target/jlama-moe-formula.txt for docs/engines.md.
 */
class JlamaMoeFormulaTest {
    private static final Map<String, String> REACHED = new ConcurrentSkipListMap<>();

    @BeforeEach
    void jdkHasTheVectorApi() {
        JlamaRuntime.require();
    }

    @AfterAll
    static void writeReport() throws IOException {
        StringBuilder s = new StringBuilder("scaled max |Jlama moe.out - formula| over all layers and tokens\n");
        REACHED.forEach((k, v) -> s.append(String.format(Locale.ROOT, "%-30s %s%n", k, v)));
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "jlama-moe-formula-" + System.getProperty("mixtral.jlama.cases", "fit")
                + ".txt"), s);
    }

    static Stream<GoldenCases> cases() {
        return Stream.concat(GoldenCases.random().stream(), GoldenCases.trained().stream())
                .filter(JlamaFaithfulnessTest::fitsThisJvm);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stockMoeOutputIsTheUnweightedSumOfTheChosenExperts(GoldenCases c) {
        for (JlamaTap.Path path : JlamaTap.Path.values()) {
            JlamaTap.Result r = JlamaEngine.record(c.modelDir(), c.tokens(), JlamaEngine.Precision.F32, path, null);
            double[] err = errors(c, r, path);
            REACHED.put(c.name() + " " + path, String.format(Locale.ROOT, "Jlama's formula %.1e, published formula %.1e",
                    err[0], err[1]));
            assertTrue(err[0] < 1e-5, c + " " + path + ": Jlama's MoE is not the formula: " + err[0]);
            boolean weightsCanMatter = r.layers.get(0).selected.get(0).length > 1 || path == JlamaTap.Path.BATCH;
            if (weightsCanMatter && c.tokens().length > 1) {
                assertTrue(err[1] > 1e-3, c + " " + path + ": the published formula must not match: " + err[1]);
            }
        }
    }

    /** [scaled error against Jlama's formula, against the published one], over all layers and tokens. */
    private static double[] errors(GoldenCases c, JlamaTap.Result r, JlamaTap.Path path) {
        double[] worst = new double[2];
        try (Checkpoint w = Checkpoint.open(c.modelDir())) {
            for (int l = 0; l < r.layers.size(); l++) {
                JlamaTap.Layer x = r.layers.get(l);
                int t = x.moeOut.size();
                for (int b = 0; b < t; b++) {
                    double[] jlama = jlamaFormula(w, l, x, b, t, path);
                    double[] published = publishedFormula(w, l, x, b);
                    worst[0] = Math.max(worst[0], scaled(x.moeOut.get(b), jlama));
                    worst[1] = Math.max(worst[1], scaled(x.moeOut.get(b), published));
                }
            }
        }
        return worst;
    }

    private static double[] jlamaFormula(Checkpoint w, int l, JlamaTap.Layer x, int b, int t, JlamaTap.Path path) {
        int k = x.selected.get(b).length;
        double[] out = new double[x.moeNorm.get(b).length];
        if (path == JlamaTap.Path.BATCH && b == 0 && t > 1) {
            add(out, expert(w, l, x.selected.get(t - 1)[0], x.moeNorm.get(t - 1)), 1);
            return out;
        }
        int first = path == JlamaTap.Path.BATCH && b > 0 ? 1 : 0;
        for (int j = first; j < k; j++) {
            add(out, expert(w, l, x.selected.get(b)[j], x.moeNorm.get(b)), 1);
        }
        return out;
    }

    private static double[] publishedFormula(Checkpoint w, int l, JlamaTap.Layer x, int b) {
        int[] chosen = x.selected.get(b);
        float[] p = x.routerProbs.get(b);
        double sum = 0;
        for (int e : chosen) {
            sum += p[e];
        }
        double[] out = new double[x.moeNorm.get(b).length];
        for (int e : chosen) {
            add(out, expert(w, l, e, x.moeNorm.get(b)), p[e] / sum);
        }
        return out;
    }

    private static final Map<String, float[][][]> EXPERTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** w2 (silu(w1 x) * (w3 x)), in double. */
    static double[] expert(Checkpoint w, int l, int e, float[] x) {
        float[][][] m = EXPERTS.computeIfAbsent(w.dir().toAbsolutePath() + " " + l + " " + e, key -> new float[][][] {
            w.w1(l, e).toFloatMatrix(), w.w2(l, e).toFloatMatrix(), w.w3(l, e).toFloatMatrix()});
        float[][] w1 = m[0];   // [F, D]
        float[][] w2 = m[1];   // [D, F]
        float[][] w3 = m[2];   // [F, D]
        double[] h = new double[w1.length];
        for (int f = 0; f < h.length; f++) {
            double g = dot(w1[f], x);
            h[f] = g / (1 + Math.exp(-g)) * dot(w3[f], x);
        }
        double[] y = new double[w2.length];
        for (int d = 0; d < y.length; d++) {
            for (int f = 0; f < h.length; f++) {
                y[d] += w2[d][f] * h[f];
            }
        }
        return y;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static void add(double[] acc, double[] v, double scale) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += scale * v[i];
        }
    }

    private static double scaled(float[] actual, double[] expected) {
        double max = 1;
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
        }
        return diff / max;
    }

}
