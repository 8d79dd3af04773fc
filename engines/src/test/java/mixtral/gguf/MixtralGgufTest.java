package mixtral.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import mixtral.config.MixtralConfig;
import mixtral.demo.DemoModel;
import mixtral.tokenizer.Tokenizer;
import mixtral.weights.RandomWeights;
import mixtral.weights.RopeRows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint as llama.cpp reads it: names, dims, types, the q/k permutation, stacked experts, the vocabulary. */
class MixtralGgufTest {
    /** D=64, F=96, L=2, H=4, KV=2, Hd=16, E=4, K=2, V=40: rows of 64 and 96 are whole blocks of 32. */
    static final MixtralConfig CONFIG = MixtralConfig.builder().hiddenSize(64).intermediateSize(96).numHiddenLayers(2)
            .numAttentionHeads(4).numKeyValueHeads(2).headDim(16).numLocalExperts(4).numExpertsPerTok(2)
            .vocabSize(40).ropeTheta(1e4).rmsNormEps(1e-6).maxPositionEmbeddings(128).build();

    @TempDir
    Path dir;

    private GgufReader write(GgmlType type) throws IOException {
        Path out = dir.resolve(type + ".gguf");
        MixtralGguf.write(new RandomWeights(CONFIG, 7), dir, type, out);
        return GgufReader.read(out);
    }

    @Test
    void metadataDescribesMixtralAsLlamaWithExperts() throws IOException {
        GgufReader r = write(GgmlType.F32);
        assertEquals("llama", r.metadata().get(GgufNames.GENERAL_ARCHITECTURE));
        assertEquals(4, r.metadata().get(GgufNames.EXPERT_COUNT));
        assertEquals(2, r.metadata().get(GgufNames.EXPERT_USED_COUNT));
        assertEquals(64, r.metadata().get(GgufNames.EMBEDDING_LENGTH));
        assertEquals(96, r.metadata().get(GgufNames.FEED_FORWARD_LENGTH));
        assertEquals(2, r.metadata().get(GgufNames.HEAD_COUNT_KV));
        assertEquals(16, r.metadata().get(GgufNames.ROPE_DIMENSIONS));
        assertEquals(1e4f, r.metadata().get(GgufNames.ROPE_FREQ_BASE));
        assertEquals(1e-6f, r.metadata().get(GgufNames.RMS_EPS));
        assertEquals(MixtralGguf.PLACEHOLDER, r.metadata().get(GgufNames.TOKENIZER_MODEL), "no tokenizer.model here");
        assertEquals(40, r.metadata().get(GgufNames.VOCAB_SIZE));
        assertEquals(3 + 2 * 10, r.tensors().size());
    }

    @Test
    void queryAndKeyRowsAreInterleavedAndACheckpointWithoutThePermutationIsCaught() throws IOException {
        GgufReader r = write(GgmlType.F32);
        RandomWeights w = new RandomWeights(CONFIG, 7);
        float[] hfQ = MixtralGguf.floats(w.wq(1));
        float[] hfK = MixtralGguf.floats(w.wk(1));
        assertTrue(interleaved(r.values(GgufNames.attnQ(1)), hfQ, 4));
        assertTrue(interleaved(r.values(GgufNames.attnK(1)), hfK, 2));
        assertFalse(interleaved(hfQ, hfQ, 4), "rows left in Hugging Face order must be rejected");
        assertFalse(interleaved(RopeRows.rotateHalfToInterleaved(hfQ, 2, 32, 64), hfQ, 4),
                "rows permuted with the wrong head count must be rejected");
        assertArrayEquals(MixtralGguf.floats(w.wv(1)), r.values(GgufNames.attnV(1)), "values are not permuted");
    }

    /** Row {@code h*Hd + 2i + a} of the file is row {@code h*Hd + a*Hd/2 + i} of Hugging Face's. */
    private static boolean interleaved(float[] file, float[] hf, int heads) {
        int hd = 16;
        int cols = 64;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < hd / 2; i++) {
                for (int a = 0; a < 2; a++) {
                    int fileRow = h * hd + 2 * i + a;
                    int hfRow = h * hd + a * hd / 2 + i;
                    if (!Arrays.equals(file, fileRow * cols, fileRow * cols + cols, hf, hfRow * cols, hfRow * cols + cols)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    @Test
    void expertsAreStackedInOrderWithGgmlDims() throws IOException {
        GgufReader r = write(GgmlType.F32);
        RandomWeights w = new RandomWeights(CONFIG, 7);
        assertArrayEquals(new long[] {64, 96, 4}, r.tensors().get(GgufNames.ffnGateExps(0)).dims());
        assertArrayEquals(new long[] {96, 64, 4}, r.tensors().get(GgufNames.ffnDownExps(0)).dims());
        assertArrayEquals(new long[] {64, 4}, r.tensors().get(GgufNames.ffnGateInp(0)).dims());
        float[] down = r.values(GgufNames.ffnDownExps(0));
        float[] up = r.values(GgufNames.ffnUpExps(0));
        float[] gate = r.values(GgufNames.ffnGateExps(0));
        int n = 64 * 96;
        for (int e = 0; e < 4; e++) {
            assertArrayEquals(MixtralGguf.floats(w.w2(0, e)), Arrays.copyOfRange(down, e * n, e * n + n), "w2 of " + e);
            assertArrayEquals(MixtralGguf.floats(w.w3(0, e)), Arrays.copyOfRange(up, e * n, e * n + n), "w3 of " + e);
            assertArrayEquals(MixtralGguf.floats(w.w1(0, e)), Arrays.copyOfRange(gate, e * n, e * n + n), "w1 of " + e);
        }
        assertArrayEquals(MixtralGguf.floats(w.gate(0)), r.values(GgufNames.ffnGateInp(0)));
        assertArrayEquals(MixtralGguf.floats(w.lmHead()), r.values(GgufNames.OUTPUT));
    }

    @Test
    void quantisedFilesKeepRouterAndNormsF32AndQuantiseEveryOtherMatrix() throws IOException {
        for (GgmlType type : List.of(GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0)) {
            GgufReader r = write(type);
            assertEquals(type.fileType, r.metadata().get(GgufNames.GENERAL_FILE_TYPE));
            for (GgufReader.Info t : r.tensors().values()) {
                boolean f32 = t.dims().length == 1 || t.name().contains("ffn_gate_inp");
                assertEquals(f32 ? GgmlType.F32 : type, t.ggmlType(), type + " " + t.name());
            }
            RandomWeights w = new RandomWeights(CONFIG, 7);
            float[] expected = MixtralGguf.floats(w.w1(1, 2));
            float[] stacked = r.values(GgufNames.ffnGateExps(1));
            float[] back = Arrays.copyOfRange(stacked, 2 * 64 * 96, 3 * 64 * 96);
            assertTrue(QuantizeTest.withinBounds(expected, type, back), type + ": expert 2's w1 decodes within bounds");
        }
    }

    @Test
    void theVocabularyComesFromTokenizerModelPaddedToTheModelsSize() throws IOException {
        Files.copy(DemoModel.folder().resolve("tokenizer.model"), dir.resolve("tokenizer.model"));
        Tokenizer tok = Tokenizer.load(dir.resolve("tokenizer.model"));
        MixtralConfig big = CONFIG.toBuilder().vocabSize(tok.vocabSize() + 3).build();
        Path out = dir.resolve("vocab.gguf");
        MixtralGguf.write(new RandomWeights(big, 7), dir, GgmlType.F32, out);
        GgufReader r = GgufReader.read(out);
        assertEquals("llama", r.metadata().get(GgufNames.TOKENIZER_MODEL));
        List<?> tokens = (List<?>) r.metadata().get(GgufNames.TOKENS);
        assertEquals(big.vocabSize(), tokens.size());
        assertEquals(tok.piece(100), tokens.get(100));
        assertEquals("<pad_" + tok.vocabSize() + ">", tokens.get(tok.vocabSize()));
        assertEquals(tok.model().scores()[100], ((List<?>) r.metadata().get(GgufNames.SCORES)).get(100));
        assertEquals(tok.bosId(), r.metadata().get(GgufNames.BOS_ID));
        assertEquals(3, ((List<?>) r.metadata().get(GgufNames.TOKEN_TYPES)).get(tok.bosId()), "<s> is a control token");
    }
}
