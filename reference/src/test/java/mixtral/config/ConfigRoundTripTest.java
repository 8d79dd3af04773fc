package mixtral.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mixtral.BadInputException;
import mixtral.model.TinyConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A configuration written in either layout reads back as itself, so the reader and the writer cannot disagree. */
class ConfigRoundTripTest {
    static final Path RESOURCES = Path.of("src/main/resources");

    @TempDir
    Path dir;

    /**
     * Every value differs from what a reader assumes when a key is absent, so a dropped key cannot come back as its
     * default, and the integers differ from each other, so two swapped keys cannot read back as themselves.
     */
    static MixtralConfig distinctive() {
        return MixtralConfig.builder()
                .hiddenSize(40).intermediateSize(56).numHiddenLayers(5)
                .numAttentionHeads(4).numKeyValueHeads(2).headDim(12)
                .numLocalExperts(6).numExpertsPerTok(3).vocabSize(70)
                .ropeTheta(5e5).rmsNormEps(3e-6).maxPositionEmbeddings(777)
                .slidingWindow(33).tieWordEmbeddings(true)
                .build();
    }

    static List<MixtralConfig> configs() {
        MixtralConfig gqa = TinyConfigs.gqa();
        return List.of(gqa, TinyConfigs.with(gqa, 4, 1, 1, 16), distinctive(),
                ConfigReader.read(RESOURCES.resolve("configs/mixtral-8x7b-v0.1.json")),
                ConfigReader.read(RESOURCES.resolve("configs/mixtral-8x22b-v0.1.json")),
                ConfigReader.read(RESOURCES.resolve("demo-model/config.json")));
    }

    private MixtralConfig writeAndRead(Record json, String name) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, ConfigJson.MAPPER.writeValueAsString(json));
        return ConfigReader.read(file);
    }

    @Test
    void everyConfigSurvivesConfigJson() throws IOException {
        for (MixtralConfig c : configs()) {
            assertEquals(c, writeAndRead(HuggingFaceConfigJson.from(c), "config.json"));
            assertEquals(c, ConfigReader.parseHuggingFace(ConfigJson.toHuggingFaceString(c), "test"));
        }
    }

    @Test
    void everyConfigSurvivesThePublishedStyleConfigJson() throws IOException {
        for (MixtralConfig c : configs()) {
            assertEquals(c, writeAndRead(HuggingFaceConfigJson.published(c, null), "config.json"));
            assertEquals(c, writeAndRead(HuggingFaceConfigJson.published(c, "bfloat16"), "config.json"));
        }
    }

    /** params.json has no maximum sequence length, and Mistral's models never tie the LM head. */
    @Test
    void everyUntiedConfigSurvivesParamsJsonButForItsMaximumLength() throws IOException {
        for (MixtralConfig c : configs()) {
            MixtralConfig untied = c.toBuilder().tieWordEmbeddings(false).build();
            MixtralConfig expected = untied.toBuilder()
                    .maxPositionEmbeddings(MistralParamsJson.MAX_POSITION_EMBEDDINGS).build();
            assertEquals(expected, writeAndRead(MistralParamsJson.from(untied), "params.json"));
        }
    }

    @Test
    void theDistinctiveConfigReallyDiffersFromEveryDefault() throws IOException {
        MixtralConfig d = distinctive();
        Files.writeString(dir.resolve("config.json"), """
                {"hidden_size": 40, "intermediate_size": 56, "num_hidden_layers": 5, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "num_local_experts": 6, "num_experts_per_tok": 3, "vocab_size": 70}""");
        MixtralConfig defaults = ConfigReader.read(dir.resolve("config.json"));
        assertNotEquals(d.headDim(), defaults.headDim());
        assertNotEquals(d.ropeTheta(), defaults.ropeTheta());
        assertNotEquals(d.rmsNormEps(), defaults.rmsNormEps());
        assertNotEquals(d.maxPositionEmbeddings(), defaults.maxPositionEmbeddings());
        assertNotEquals(d.slidingWindow(), defaults.slidingWindow());
        assertNotEquals(d.tieWordEmbeddings(), defaults.tieWordEmbeddings());
        assertNotEquals(MistralParamsJson.MAX_POSITION_EMBEDDINGS, d.maxPositionEmbeddings());
    }

    /** A round trip cannot see two values swapped the same way on both sides; the published numbers can. */
    @Test
    void thePublishedMixtral8x7bConfigReadsAsItsNumbers() {
        MixtralConfig published = MixtralConfig.builder()
                .hiddenSize(4096).intermediateSize(14336).numHiddenLayers(32)
                .numAttentionHeads(32).numKeyValueHeads(8).headDim(128)
                .numLocalExperts(8).numExpertsPerTok(2).vocabSize(32000)
                .ropeTheta(1e6).rmsNormEps(1e-5).maxPositionEmbeddings(32768)
                .build();
        assertEquals(published, ConfigReader.read(RESOURCES.resolve("configs/mixtral-8x7b-v0.1.json")));
    }

    /**
     * One model in both layouts, as goldgen writes them for transformers and Mistral's reference
     * (golden/cases/sliding_window), its integers made distinct so that no two keys agree by chance.
     */
    @Test
    void aModelsConfigJsonAndParamsJsonReadAsTheSameNumbers() throws IOException {
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "vocab_size": 128,
                 "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 5, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "num_local_experts": 6, "num_experts_per_tok": 3, "hidden_act": "silu",
                 "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "sliding_window": 16, "max_position_embeddings": 1024,
                 "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32"}""");
        Files.writeString(dir.resolve("params.json"), """
                {"dim": 32, "n_layers": 5, "head_dim": 8, "hidden_dim": 64, "n_heads": 4, "n_kv_heads": 2,
                 "norm_eps": 1e-06, "vocab_size": 128, "rope_theta": 10000.0,
                 "moe": {"num_experts": 6, "num_experts_per_tok": 3}, "sliding_window": 16}""");
        MixtralConfig expected = MixtralConfig.builder()
                .hiddenSize(32).intermediateSize(64).numHiddenLayers(5)
                .numAttentionHeads(4).numKeyValueHeads(2).headDim(8)
                .numLocalExperts(6).numExpertsPerTok(3).vocabSize(128)
                .ropeTheta(1e4).rmsNormEps(1e-6).maxPositionEmbeddings(1024).slidingWindow(16)
                .build();
        assertEquals(expected, ConfigReader.read(dir.resolve("config.json")));
        assertEquals(expected.toBuilder().maxPositionEmbeddings(MistralParamsJson.MAX_POSITION_EMBEDDINGS).build(),
                ConfigReader.read(dir.resolve("params.json")));
    }

    @Test
    void aTiedConfigIsRefusedForParamsJsonByName() {
        BadInputException e = assertThrows(BadInputException.class, () -> MistralParamsJson.from(distinctive()));
        assertTrue(e.getMessage().contains(HuggingFaceConfigJson.TIE_WORD_EMBEDDINGS), e.getMessage());
    }
}
