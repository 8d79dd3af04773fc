package mixtral.config;

import static mixtral.config.ConfigRoundTripTest.distinctive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;
import mixtral.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every broken configuration file is refused with one line that names the file and the key. */
class ConfigReaderTest {
    @TempDir
    Path dir;

    private static ObjectNode configJson() {
        return ConfigJson.MAPPER.valueToTree(HuggingFaceConfigJson.from(distinctive()));
    }

    private static ObjectNode paramsJson() {
        return ConfigJson.MAPPER.valueToTree(
                MistralParamsJson.from(distinctive().toBuilder().tieWordEmbeddings(false).build()));
    }

    private Path write(String name, ObjectNode json) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, json.toPrettyString());
        return file;
    }

    /** The message of the refusal of {@code json} edited by {@code edit}, checked to be one line naming the file. */
    private String refusal(String name, ObjectNode json, Consumer<ObjectNode> edit) throws IOException {
        edit.accept(json);
        Path file = write(name, json);
        BadInputException e = assertThrows(BadInputException.class, () -> ConfigReader.read(file));
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.startsWith(file + ": "), "names the file first: " + m);
        return m.substring(file.toString().length() + 2);
    }

    private static ObjectNode moe(ObjectNode params) {
        return (ObjectNode) params.get(MistralParamsJson.MOE);
    }

    /** Removes a dotted key such as moe.num_experts. */
    private static void remove(ObjectNode json, String key) {
        int dot = key.indexOf('.');
        if (dot < 0) {
            json.remove(key);
        } else {
            remove((ObjectNode) json.get(key.substring(0, dot)), key.substring(dot + 1));
        }
    }

    @Test
    void theValidFilesRead() throws IOException {
        assertEquals(distinctive(), ConfigReader.read(write("config.json", configJson())));
        ConfigReader.read(write("params.json", paramsJson()));
    }

    @Test
    void everyRequiredKeyMissingOrNullIsRefusedByName() throws IOException {
        int refused = 0;
        for (Class<?> layout : new Class<?>[] {HuggingFaceConfigJson.class, MistralParamsJson.class}) {
            boolean hf = layout == HuggingFaceConfigJson.class;
            for (String key : ConfigKeysTest.required(layout)) {
                assertEquals("key '" + key + "' is missing",
                        refusal(layout.getSimpleName(), hf ? configJson() : paramsJson(), j -> remove(j, key)));
                if (!key.contains(".")) {
                    assertEquals("key '" + key + "' is missing",
                            refusal(layout.getSimpleName(), hf ? configJson() : paramsJson(), j -> j.putNull(key)));
                }
                refused++;
            }
        }
        assertEquals(16, refused, "eight required keys in each layout");
    }

    @Test
    void aMisspelledKeyIsRefusedAsTheKeyThatIsMissing() throws IOException {
        assertEquals("key 'num_local_experts' is missing", refusal("config.json", configJson(),
                j -> j.set("num_local_expert", j.remove(HuggingFaceConfigJson.NUM_LOCAL_EXPERTS))));
        assertEquals("key 'moe.num_experts_per_tok' is missing", refusal("params.json", paramsJson(),
                j -> moe(j).set("experts_per_tok", moe(j).remove(MistralParamsJson.Moe.NUM_EXPERTS_PER_TOK))));
    }

    @Test
    void paramsJsonWithoutMoeIsADenseModel() throws IOException {
        assertEquals("key 'moe' is missing: params.json of a dense model, not a Mixture-of-Experts",
                refusal("params.json", paramsJson(), j -> j.remove(MistralParamsJson.MOE)));
    }

    @Test
    void valuesOfTheWrongTypeAreRefusedNotConverted() throws IOException {
        assertEquals("key 'hidden_size' must be an integer, got \"40\"",
                refusal("config.json", configJson(), j -> j.put("hidden_size", "40")));
        assertEquals("key 'num_hidden_layers' must be an integer, got 4.5",
                refusal("config.json", configJson(), j -> j.put("num_hidden_layers", 4.5)));
        assertEquals("key 'vocab_size' is out of range: 99999999999",
                refusal("config.json", configJson(), j -> j.put("vocab_size", 99_999_999_999L)));
        assertEquals("key 'rope_theta' must be a number, got \"1e6\"",
                refusal("config.json", configJson(), j -> j.put("rope_theta", "1e6")));
        assertEquals("key 'tie_word_embeddings' must be true or false, got 1",
                refusal("config.json", configJson(), j -> j.put("tie_word_embeddings", 1)));
        assertEquals("key 'moe' must be an object, got 8",
                refusal("params.json", paramsJson(), j -> j.put("moe", 8)));
        assertEquals("key 'moe.num_experts' must be an integer, got [8]",
                refusal("params.json", paramsJson(), j -> moe(j).putArray("num_experts").add(8)));
    }

    @Test
    void anotherModelTypeOrActivationIsRefused() throws IOException {
        assertEquals("key 'model_type' is 'llama', expected 'mixtral'",
                refusal("config.json", configJson(), j -> j.put("model_type", "llama")));
        assertEquals("key 'hidden_act' is 'gelu', expected 'silu'",
                refusal("config.json", configJson(), j -> j.put("hidden_act", "gelu")));
    }

    @Test
    void aHeadWidthThatCannotBeDerivedIsRefusedInTheFilesOwnKeys() throws IOException {
        assertEquals("key 'hidden_size' (30) is not a multiple of num_attention_heads (4) and no head_dim is given",
                refusal("config.json", configJson(), j -> j.put("hidden_size", 30).remove("head_dim")));
        assertEquals("key 'dim' (30) is not a multiple of n_heads (4) and no head_dim is given",
                refusal("params.json", paramsJson(), j -> j.put("dim", 30).remove("head_dim")));
    }

    @Test
    void theConfigurationsOwnChecksNameTheFile() throws IOException {
        assertEquals("num_experts_per_tok (7) exceeds num_local_experts (6)",
                refusal("config.json", configJson(), j -> j.put("num_experts_per_tok", 7)));
    }

    @Test
    void absentOptionalKeysTakeThePublishedDefaults() throws IOException {
        ObjectNode hf = configJson();
        Set.of("head_dim", "rope_theta", "rms_norm_eps", "max_position_embeddings", "sliding_window",
                "tie_word_embeddings", "model_type", "hidden_act").forEach(hf::remove);
        MixtralConfig c = ConfigReader.read(write("config.json", hf));
        assertEquals(40 / 4, c.headDim());
        assertEquals(1e6, c.ropeTheta());
        assertEquals(1e-5, c.rmsNormEps());
        assertEquals(4096 * 32, c.maxPositionEmbeddings(), "transformers' MixtralConfig default");
        assertNull(c.slidingWindow());
        assertFalse(c.tieWordEmbeddings());

        ObjectNode mistral = paramsJson();
        Set.of("head_dim", "rope_theta", "norm_eps", "sliding_window").forEach(mistral::remove);
        MixtralConfig m = ConfigReader.read(write("params.json", mistral));
        assertEquals(c.toBuilder().maxPositionEmbeddings(MistralParamsJson.MAX_POSITION_EMBEDDINGS).build(), m);
    }

    @Test
    void nullIsTheSameAsAbsentForOptionalKeys() throws IOException {
        ObjectNode hf = configJson();
        hf.putNull("sliding_window").putNull("rope_theta");
        MixtralConfig c = ConfigReader.read(write("config.json", hf));
        assertNull(c.slidingWindow());
        assertEquals(1e6, c.ropeTheta());
    }

    @Test
    void aFileThatIsNotAJsonObjectIsRefused() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": ");
        assertTrue(assertThrows(BadInputException.class, () -> ConfigReader.read(dir.resolve("config.json")))
                .getMessage().contains("not readable JSON"));
        Files.writeString(dir.resolve("config.json"), "[1, 2]");
        assertTrue(assertThrows(BadInputException.class, () -> ConfigReader.read(dir.resolve("config.json")))
                .getMessage().endsWith("config.json: expected a JSON object"));
        assertEquals("trace metadata: configuration is not a JSON object", assertThrows(BadInputException.class,
                () -> ConfigReader.parseHuggingFace("3", "trace metadata")).getMessage());
    }

    @Test
    void aFolderIsReadFromConfigJsonBeforeParamsJson() throws IOException {
        write("params.json", paramsJson());
        assertEquals(MistralParamsJson.MAX_POSITION_EMBEDDINGS, ConfigReader.readFolder(dir).maxPositionEmbeddings());
        write("config.json", configJson());
        assertEquals(distinctive(), ConfigReader.readFolder(dir));
        BadInputException e = assertThrows(BadInputException.class, () -> ConfigReader.readFolder(dir.resolve("x")));
        assertTrue(e.getMessage().endsWith("no config.json or params.json in the model folder"), e.getMessage());
    }
}
