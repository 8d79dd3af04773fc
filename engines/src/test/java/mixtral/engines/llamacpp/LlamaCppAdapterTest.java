package mixtral.engines.llamacpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import mixtral.cli.Main;
import mixtral.demo.DemoModel;
import mixtral.gguf.MixtralGguf;
import mixtral.tokenizer.Tokenizer;
import mixtral.gguf.GgmlType;
import mixtral.model.MixtralModel;
import mixtral.testing.Prerequisites;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.Checkpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter records llama.cpp's own decisions, says what ran, and is reachable from the command line. */
class LlamaCppAdapterTest {
    @TempDir
    Path tmp;

    /** Each test, not the class, is skipped (or failed under CI=true) with the reason, so the report counts it. */
    @BeforeEach
    void librariesArePresent() {
        LlamaCppLibraries.missing().ifPresent(why -> {
            throw Prerequisites.missing(why);
        });
    }

    @Test
    void routingIsLlamaCppsOwnEvenWhereItDiffersFromTheReference() {
        GoldenCases c = GoldenCases.named("trained/de");
        Trace llama = LlamaCppEngine.trace(c.modelDir(), c.tokens(), GgmlType.Q4_0, false);
        Trace reference;
        try (Checkpoint checkpoint = Checkpoint.open(c.modelDir())) {
            MixtralModel m = MixtralModel.load(checkpoint);
            TraceRecorder rec = TraceRecorder.routing();
            m.forward(c.tokens(), rec);
            reference = rec.toTrace(m.config());
        }
        int differing = 0;
        int k = 2;
        for (int l = 0; l < 6; l++) {
            long[][] sel = llama.get(TensorNames.selectedExperts(l)).toLongMatrix();
            long[][] ref = reference.get(TensorNames.selectedExperts(l)).toLongMatrix();
            float[][] probs = llama.get(TensorNames.routerProbs(l)).toFloatMatrix();
            float[][] weights = llama.get(TensorNames.routingWeights(l)).toFloatMatrix();
            for (int t = 0; t < sel.length; t++) {
                long[] a = sel[t].clone();
                long[] b = ref[t].clone();
                Arrays.sort(a);
                Arrays.sort(b);
                differing += Arrays.equals(a, b) ? 0 : 1;
                float sum = probs[t][(int) sel[t][0]] + probs[t][(int) sel[t][1]];
                for (int j = 0; j < k; j++) {
                    assertEquals(probs[t][(int) sel[t][j]] / sum, weights[t][j], 1e-6,
                            "layer " + l + " token " + t + ": weights are llama.cpp's probabilities renormalised");
                }
                assertTrue(probs[t][(int) sel[t][0]] >= probs[t][(int) sel[t][1]], "highest weight first");
            }
        }
        assertTrue(differing > 0, "Q4_0 moves some routing on this prompt: the trace must show llama.cpp's choices");
        assertTrue(llama.metadata().get(LlamaCppEngine.ENGINE).endsWith("Q4_0"), llama.metadata().toString());
    }

    @Test
    void llamaCppTokenizesTheGoldenPromptsAsSentencePieceDidFromOurVocabulary() {
        Path gguf = tmp.resolve("demo.gguf");
        try (Checkpoint checkpoint = Checkpoint.open(DemoModel.folder())) {
            MixtralGguf.write(checkpoint, DemoModel.folder(), GgmlType.Q8_0, gguf);
        }
        int checked = 0;
        for (GoldenCases c : GoldenCases.trained()) {
            String text = c.text().orElseThrow();
            assertArrayEquals(c.tokens(), LlamaCppEngine.tokenize(gguf, text), c + ": " + text);
            checked++;
        }
        assertEquals(7, checked);
        long[] ours = Arrays.stream(Tokenizer.load(DemoModel.folder().resolve("tokenizer.model"))
                .encode("Ça va ☃", true)).asLongStream().toArray();
        assertArrayEquals(ours, LlamaCppEngine.tokenize(gguf, "Ça va ☃"), "byte fallback");
    }

    @Test
    void engineTraceAndGgufAreCommandsOfMixtral() {
        Path out = tmp.resolve("b.safetensors");
        String model = Path.of("..", "golden", "cases", "mqa").toString();
        assertEquals(0, Main.run("engine-trace", "llama.cpp", "--model", model, "--tokens", "1,5,9", "--out",
                out.toString(), "--quant", "Q8_0"));
        Trace t = Trace.read(out);
        assertEquals(LlamaCppLibraries.DESCRIPTION + " Q8_0", t.metadata().get(LlamaCppEngine.ENGINE));
        assertEquals(3, t.get(TensorNames.LOGITS).rows());
        assertEquals(Main.BAD_INPUT, Main.run("engine-trace", "jlama", "--model", model, "--tokens", "1",
                "--out", out.toString()));
        assertEquals(0, Main.run("gguf", "--model", model, "--out", tmp.resolve("m.gguf").toString(), "--type", "Q4_0"));
        assertEquals(Main.BAD_INPUT, Main.run("gguf", "--model", model, "--out", tmp.resolve("m.gguf").toString(),
                "--type", "Q5_K"));
    }
}
