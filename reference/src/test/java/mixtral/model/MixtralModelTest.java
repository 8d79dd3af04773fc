package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.trace.Recorder;
import mixtral.trace.TensorNames;
import mixtral.trace.TraceRecorder;
import mixtral.weights.RandomWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class MixtralModelTest {
    private static final long[] PROMPT = {3, 17, 42, 8, 8, 0, 49, 23, 5, 31, 12};

    static Stream<Arguments> configurations() {
        MixtralConfig base = TinyConfigs.gqa();
        return Stream.of(
                Arguments.of("8 experts top-2, GQA", base),
                Arguments.of("4 experts top-1", TinyConfigs.with(base, 4, 1, 2, null)),
                Arguments.of("multi-query attention", TinyConfigs.with(base, 8, 2, 1, null)),
                Arguments.of("multi-head attention", TinyConfigs.with(base, 8, 2, 4, null)),
                Arguments.of("sliding window 4", TinyConfigs.with(base, 8, 2, 2, 4)));
    }

    static Stream<Arguments> configurationsOnBothPaths() {
        return configurations().flatMap(a -> Stream.of(true, false).map(v -> Arguments.of(a.get()[0], a.get()[1], v)));
    }

    @ParameterizedTest(name = "{0}, vector API {2}")
    @MethodSource("configurationsOnBothPaths")
    void logitsEqualAPlainLoopImplementation(String name, MixtralConfig config, boolean vectorApi) {
        RandomWeights weights = new RandomWeights(config, 7);
        boolean before = Ops.useVectorApi(vectorApi);
        float[][] ours;
        try {
            ours = MixtralModel.load(weights).forward(PROMPT, Recorder.NONE).toFloatMatrix();
        } finally {
            Ops.useVectorApi(before);
        }
        double[][] loops = new PlainLoops(weights).forward(PROMPT);
        double maxDiff = 0;
        for (int t = 0; t < PROMPT.length; t++) {
            for (int v = 0; v < config.vocabSize(); v++) {
                maxDiff = Math.max(maxDiff, Math.abs(ours[t][v] - loops[t][v]));
            }
        }
        assertTrue(maxDiff < 1e-3, name + ": max |ours - loops| = " + maxDiff);
    }

    @Test
    void futureTokensDoNotChangeThePast() {
        MixtralModel model = MixtralModel.load(new RandomWeights(TinyConfigs.gqa(), 3));
        INDArray full = model.forward(PROMPT, Recorder.NONE);
        long[] prefix = java.util.Arrays.copyOf(PROMPT, 5);
        INDArray head = model.forward(prefix, Recorder.NONE);
        INDArray same = full.get(NDArrayIndex.interval(0, 5), NDArrayIndex.all());
        assertEquals(0, head.sub(same).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void kvCacheGenerationEqualsFullRecompute() {
        MixtralModel model = MixtralModel.load(new RandomWeights(TinyConfigs.with(TinyConfigs.gqa(), 8, 2, 2, 4), 5));
        INDArray full = model.forward(PROMPT, Recorder.NONE);
        KvCache cache = model.newCache();
        model.forward(java.util.Arrays.copyOf(PROMPT, 6), cache, Recorder.NONE);
        for (int t = 6; t < PROMPT.length; t++) {
            INDArray step = model.forward(new long[] {PROMPT[t]}, cache, Recorder.NONE);   // one token at a time
            assertEquals(0, step.sub(full.getRow(t).reshape(1, -1)).amaxNumber().doubleValue(), 1e-4, "token " + t);
        }
        assertEquals(PROMPT.length, cache.length());
    }

    @Test
    void moeScalesEachExpertByItsRoutingWeight() {
        RandomWeights weights = new RandomWeights(TinyConfigs.gqa(), 11);
        TraceRecorder rec = TraceRecorder.all(false);
        MixtralModel.load(weights).forward(PROMPT, rec);
        PlainLoops loops = new PlainLoops(weights);
        int layer = 1;
        float[][] in = rec.tensors().get(TensorNames.moeNorm(layer)).toFloatMatrix();
        float[][] out = rec.tensors().get(TensorNames.moeOut(layer)).toFloatMatrix();
        long[][] experts = rec.tensors().get(TensorNames.selectedExperts(layer)).toLongMatrix();
        float[][] w = rec.tensors().get(TensorNames.routingWeights(layer)).toFloatMatrix();
        for (int t = 0; t < PROMPT.length; t++) {
            double[] x = PlainLoops.toDouble(in[t]);
            double[] expected = new double[x.length];
            for (int j = 0; j < 2; j++) {
                double[] y = loops.expert(x, layer, (int) experts[t][j]);
                for (int d = 0; d < y.length; d++) {
                    expected[d] += w[t][j] * y[d];
                }
            }
            for (int d = 0; d < x.length; d++) {
                assertEquals(expected[d], out[t][d], 1e-4, "token " + t + " dim " + d);
            }
        }
    }

    @Test
    void routingVariesAcrossTokensAndLayers() {
        TraceRecorder rec = TraceRecorder.routing();
        MixtralModel.load(new RandomWeights(TinyConfigs.gqa(), 13)).forward(PROMPT, rec);
        Set<Long> firstChoices = new HashSet<>();
        for (int l = 0; l < 2; l++) {
            for (long[] row : rec.tensors().get(TensorNames.selectedExperts(l)).toLongMatrix()) {
                firstChoices.add(row[0]);
            }
        }
        assertTrue(firstChoices.size() >= 4, "first choices used: " + firstChoices);
    }

    @Test
    void recordingEverythingKeepsEveryTraceTensor() {
        TraceRecorder rec = TraceRecorder.all(true);
        MixtralConfig c = TinyConfigs.gqa();
        MixtralModel.load(new RandomWeights(c, 1)).forward(PROMPT, rec);
        int t = PROMPT.length;
        assertArrayEquals(new long[] {t}, rec.tensors().get(TensorNames.TOKENS).shape());
        assertArrayEquals(new long[] {4, t, t}, rec.tensors().get(TensorNames.attnProbs(1)).shape());
        assertArrayEquals(new long[] {t, 2}, rec.tensors().get(TensorNames.selectedExperts(0)).shape());
        assertArrayEquals(new long[] {t, 50}, rec.tensors().get(TensorNames.LOGITS).shape());
        assertEquals(4 + 11 * 2, rec.tensors().size());   // 4 model-level tensors, 11 per layer
    }

    @Test
    void tokenOutsideTheVocabularyIsABadInput() {
        MixtralModel model = MixtralModel.load(new RandomWeights(TinyConfigs.gqa(), 1));
        BadInputException e = assertThrows(BadInputException.class, () -> model.forward(new long[] {1, 50}, Recorder.NONE));
        assertEquals("token id 50 at position 1 is outside the vocabulary (vocab_size=50)", e.getMessage());
    }

    @Test
    void logitLensOfTheLastLayerIsTheModelsPrediction() {
        MixtralModel model = MixtralModel.load(new RandomWeights(TinyConfigs.gqa(), 1));
        TraceRecorder rec = TraceRecorder.all(false);
        INDArray logits = model.forward(PROMPT, rec);
        INDArray lens = model.logitLens(rec.tensors().get(TensorNames.residPost(1)));
        assertEquals(0, lens.sub(logits).amaxNumber().doubleValue(), 1e-5);
    }
}
