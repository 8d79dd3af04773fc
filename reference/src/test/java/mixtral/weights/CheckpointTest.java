package mixtral.weights;

import static mixtral.weights.TinyCheckpoints.assertSameWeights;
import static mixtral.weights.TinyCheckpoints.randomWeights;
import static mixtral.weights.TinyCheckpoints.tiny;
import static mixtral.weights.TinyCheckpoints.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import mixtral.BadInputException;
import mixtral.config.BoundKeys;
import mixtral.config.ConfigReader;
import mixtral.config.HuggingFaceConfigJson;
import mixtral.config.MistralParamsJson;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.DType;
import mixtral.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    @Test
    void huggingFaceF32RoundTripGivesIdenticalArrays() {
        RandomWeights w = randomWeights();
        new CheckpointWriter(Layout.HUGGING_FACE).write(w, dir);
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(Layout.HUGGING_FACE, c.layout());
            assertEquals(w.config(), c.config());
            assertSameWeights(w, c, DType.F32);
        }
    }

    @Test
    void shardedHuggingFaceRoundTripGivesIdenticalArrays() throws Exception {
        RandomWeights w = randomWeights();
        new CheckpointWriter(Layout.HUGGING_FACE).shards(3).write(w, dir);
        assertFalse(Files.exists(dir.resolve("model.safetensors")));
        JsonNode map = TinyCheckpoints.JSON.readTree(dir.resolve("model.safetensors.index.json").toFile()).get("weight_map");
        Set<String> shards = new HashSet<>();
        map.forEach(f -> shards.add(f.asText()));
        assertEquals(Set.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors"), shards);
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(3, c.files().size());
            assertSameWeights(w, c, DType.F32);
        }
    }

    @Test
    void mistralNativeRoundTripInvertsTheRopePermutationExactly() {
        RandomWeights w = randomWeights();
        new CheckpointWriter(Layout.MISTRAL).write(w, dir);
        assertTrue(Files.exists(dir.resolve("consolidated.safetensors")));
        assertTrue(Files.exists(dir.resolve("params.json")));
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(Layout.MISTRAL, c.layout());
            assertEquals(w.config(), c.config());
            assertSameWeights(w, c, DType.F32);
            // the file really is in the other order, so the round trip above is not the identity twice
            assertFalse(java.util.Arrays.equals(values(w.wq(0)), values(c.load("layers.0.attention.wq.weight"))));
        }
    }

    @Test
    void shardedMistralNativeRoundTripGivesIdenticalArrays() {
        RandomWeights w = randomWeights();
        new CheckpointWriter(Layout.MISTRAL).shards(2).write(w, dir);
        assertTrue(Files.exists(dir.resolve("consolidated.safetensors.index.json")));
        assertTrue(Files.exists(dir.resolve("consolidated-00002-of-00002.safetensors")));
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertSameWeights(w, c, DType.F32);
        }
    }

    @Test
    void bf16AndF16LoadToTheRoundedValues() {
        RandomWeights w = randomWeights();
        for (Layout layout : Layout.values()) {
            for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
                Path folder = dir.resolve(layout + "-" + dtype);
                new CheckpointWriter(layout).dtype(dtype).write(w, folder);
                try (Checkpoint c = Checkpoint.open(folder)) {
                    assertEquals(dtype, c.tensorInfo(layout.w2(1, 3)).dtype());
                    assertSameWeights(w, c, dtype);
                }
            }
        }
    }

    @Test
    void mistralInterleavedRowsBecomeRotateHalfRows() {
        // Two heads of head_dim 4, one column holding each row's Mistral index:
        // HF row h*4 + a*2 + i comes from Mistral row h*4 + 2i + a.
        float[] mistral = {0, 1, 2, 3, 4, 5, 6, 7};
        assertArrayEquals(new float[] {0, 2, 1, 3, 4, 6, 5, 7}, RopeRows.interleavedToRotateHalf(mistral, 2, 4, 1));
        assertArrayEquals(mistral, RopeRows.rotateHalfToInterleaved(new float[] {0, 2, 1, 3, 4, 6, 5, 7}, 2, 4, 1));

        // The same formula, row by row, on what Checkpoint serves from a Mistral-native file.
        new CheckpointWriter(Layout.MISTRAL).write(randomWeights(), dir);
        MixtralConfig cfg = tiny();
        int hd = cfg.headDim();
        try (Checkpoint c = Checkpoint.open(dir)) {
            for (String which : new String[] {"wq", "wk"}) {
                boolean q = which.equals("wq");
                int heads = q ? cfg.numAttentionHeads() : cfg.numKeyValueHeads();
                var stored = c.load(q ? Layout.MISTRAL.wq(1) : Layout.MISTRAL.wk(1));
                var served = q ? c.wq(1) : c.wk(1);
                for (int h = 0; h < heads; h++) {
                    for (int a = 0; a < 2; a++) {
                        for (int i = 0; i < hd / 2; i++) {
                            assertArrayEquals(values(stored.getRow(h * hd + 2 * i + a)),
                                    values(served.getRow(h * hd + a * hd / 2 + i)), which + " head " + h);
                        }
                    }
                }
            }
        }
    }

    @Test
    void onlyQueryAndKeyRowsArePermuted() {
        RandomWeights w = randomWeights();
        new CheckpointWriter(Layout.MISTRAL).write(w, dir);
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertArrayEquals(values(w.wv(0)), values(c.load(Layout.MISTRAL.wv(0))));
            assertArrayEquals(values(w.wo(0)), values(c.load(Layout.MISTRAL.wo(0))));
        }
    }

    @Test
    void foldersWithTokenizerReadmeAndPthFilesStillLoad() throws Exception {
        RandomWeights w = randomWeights();
        new CheckpointWriter(Layout.MISTRAL).write(w, dir);
        Files.write(dir.resolve("tokenizer.model"), new byte[] {1, 2, 3});
        Files.writeString(dir.resolve("README.md"), "# tiny\n");
        Files.write(dir.resolve("consolidated.00.pth"), new byte[] {(byte) 0x80, 2});
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(1, c.files().size());
            assertSameWeights(w, c, DType.F32);
        }
    }

    @Test
    void huggingFaceWeightsWinWhenAFolderHoldsBothLayouts() {
        RandomWeights w = randomWeights();
        new CheckpointWriter(Layout.MISTRAL).write(w, dir);
        new CheckpointWriter(Layout.HUGGING_FACE).write(w, dir);
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(Layout.HUGGING_FACE, c.layout());
            assertSameWeights(w, c, DType.F32);
        }
    }

    @Test
    void tiedEmbeddingsNeedNoLmHead() {
        RandomWeights w = new RandomWeights(tiny(true), 3);
        new CheckpointWriter(Layout.HUGGING_FACE).write(w, dir);
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertFalse(f.has("lm_head.weight"));
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertArrayEquals(values(c.embedding()), values(c.lmHead()));
        }
    }

    @Test
    void writtenConfigsReadBackToTheSameConfig() {
        MixtralConfig windowed = tiny().toBuilder().headDim(8).numExpertsPerTok(1).ropeTheta(1e4).rmsNormEps(1e-6)
                .slidingWindow(64).build();
        for (Layout layout : Layout.values()) {
            Path folder = dir.resolve(layout.name());
            new CheckpointWriter(layout).write(new RandomWeights(windowed, 1), folder);
            assertEquals(windowed, ConfigReader.read(folder.resolve(layout.configFile)), layout.name());
        }
    }

    @Test
    void writtenConfigFilesHoldOnlyKeysTheReaderBinds() throws Exception {
        for (Layout layout : Layout.values()) {
            Path folder = dir.resolve(layout.name());
            new CheckpointWriter(layout).write(randomWeights(), folder);
            Path file = folder.resolve(layout.configFile);
            Set<String> keys = BoundKeys.written(TinyCheckpoints.JSON.readTree(file.toFile()));
            Class<?> reader = layout == Layout.HUGGING_FACE ? HuggingFaceConfigJson.class : MistralParamsJson.class;
            keys.removeAll(BoundKeys.read(reader).keySet());
            assertEquals(Set.of(), keys, layout + " writes keys its reader does not bind");
        }
    }

    @Test
    void aTiedConfigIsRefusedForAMistralCheckpointBeforeAnyFileIsWritten() throws Exception {
        Path folder = dir.resolve("tied");
        assertThrows(BadInputException.class,
                () -> new CheckpointWriter(Layout.MISTRAL).write(new RandomWeights(tiny(true), 3), folder));
        assertFalse(Files.exists(folder));
    }

    @Test
    void huggingFaceConfigCarriesWhatTransformersNeeds() throws Exception {
        new CheckpointWriter(Layout.HUGGING_FACE).write(randomWeights(), dir);
        JsonNode cfg = TinyCheckpoints.JSON.readTree(dir.resolve("config.json").toFile());
        assertEquals("MixtralForCausalLM", cfg.get("architectures").get(0).asText());
        assertEquals("mixtral", cfg.get("model_type").asText());
        assertFalse(cfg.has("head_dim"), "the published config derives head_dim from hidden_size / heads");
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertEquals("pt", f.metadata().get("format"));
        }
    }

    @Test
    void readingAfterCloseIsAnError() {
        new CheckpointWriter(Layout.HUGGING_FACE).write(randomWeights(), dir);
        Checkpoint c = Checkpoint.open(dir);
        c.close();
        assertThrows(IllegalStateException.class, c::embedding);
        assertThrows(IllegalStateException.class, () -> c.wq(0));
    }
}
