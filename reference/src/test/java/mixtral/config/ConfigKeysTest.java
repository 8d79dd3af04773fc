package mixtral.config;

import static mixtral.config.ConfigRoundTripTest.RESOURCES;
import static mixtral.config.ConfigRoundTripTest.distinctive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The keys each layout writes are exactly the keys it reads, and the published files use no key it would miss. */
class ConfigKeysTest {
    private static Set<String> written(Record... files) {
        Set<String> keys = new TreeSet<>();
        for (Record f : files) {
            keys.addAll(BoundKeys.written(ConfigJson.MAPPER.valueToTree(f)));
        }
        return keys;
    }

    /** head_dim is not hidden_size / heads and a window is set, so every optional key is written somewhere. */
    @Test
    void configJsonWritesEveryKeyItReadsAndNoOther() {
        MixtralConfig c = distinctive();
        assertEquals(BoundKeys.read(HuggingFaceConfigJson.class).keySet(),
                written(HuggingFaceConfigJson.from(c), HuggingFaceConfigJson.published(c, "bfloat16")));
    }

    @Test
    void paramsJsonWritesEveryKeyItReadsAndNoOther() {
        MixtralConfig c = distinctive().toBuilder().tieWordEmbeddings(false).build();
        assertEquals(BoundKeys.read(MistralParamsJson.class).keySet(), written(MistralParamsJson.from(c)));
    }

    /**
     * Unknown keys are ignored, so a misspelled optional key would silently take its default: the published files
     * would then hold a key the reader does not bind.
     */
    @Test
    void everyKeyOfTheShippedConfigsIsOneTheReaderBinds() throws IOException {
        Set<String> bound = BoundKeys.read(HuggingFaceConfigJson.class).keySet();
        for (String file : new String[] {"configs/mixtral-8x7b-v0.1.json", "configs/mixtral-8x22b-v0.1.json",
                "demo-model/config.json"}) {
            Path path = RESOURCES.resolve(file);
            Set<String> keys = BoundKeys.written(ConfigJson.MAPPER.readTree(path.toFile()));
            keys.removeAll(bound);
            assertTrue(keys.isEmpty(), file + " has keys the reader ignores: " + keys);
        }
    }

    @Test
    void requiredKeysAreTheOnesThatFixATensorShape() {
        assertEquals(Set.of(HuggingFaceConfigJson.HIDDEN_SIZE, HuggingFaceConfigJson.INTERMEDIATE_SIZE,
                        HuggingFaceConfigJson.NUM_HIDDEN_LAYERS, HuggingFaceConfigJson.NUM_ATTENTION_HEADS,
                        HuggingFaceConfigJson.NUM_KEY_VALUE_HEADS, HuggingFaceConfigJson.NUM_LOCAL_EXPERTS,
                        HuggingFaceConfigJson.NUM_EXPERTS_PER_TOK, HuggingFaceConfigJson.VOCAB_SIZE),
                required(HuggingFaceConfigJson.class));
        // moe itself is required too, checked by toConfig to say that a file without it is a dense model's
        assertEquals(Set.of(MistralParamsJson.DIM, MistralParamsJson.HIDDEN_DIM, MistralParamsJson.N_LAYERS,
                        MistralParamsJson.N_HEADS, MistralParamsJson.N_KV_HEADS, MistralParamsJson.MOE_NUM_EXPERTS,
                        MistralParamsJson.MOE + "." + MistralParamsJson.Moe.NUM_EXPERTS_PER_TOK,
                        MistralParamsJson.VOCAB_SIZE),
                required(MistralParamsJson.class));
    }

    static Set<String> required(Class<?> record) {
        Set<String> keys = new TreeSet<>();
        for (Map.Entry<String, Boolean> e : BoundKeys.read(record).entrySet()) {
            if (e.getValue()) {
                keys.add(e.getKey());
            }
        }
        return keys;
    }

    @Test
    void boundKeysSeesNestedKeys() {
        JsonNode params = ConfigJson.MAPPER.valueToTree(MistralParamsJson.from(ConfigRoundTripTest.configs().get(0)));
        assertTrue(BoundKeys.written(params).contains(MistralParamsJson.MOE_NUM_EXPERTS));
        assertTrue(BoundKeys.read(MistralParamsJson.class).containsKey(MistralParamsJson.MOE_NUM_EXPERTS));
    }
}
