package mixtral.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import mixtral.BadInputException;

/**
 * Reads a model's hyper-parameters from a Hugging Face {@code config.json} or a Mistral-native {@code params.json}.
 * Keys that fix a tensor's shape are required; the others take the defaults of the published implementations
 * (transformers' {@code MixtralConfig} for the first, Mistral's reference for the second).
 */
public final class ConfigReader {
    public static final String HF_FILE = "config.json";
    public static final String MISTRAL_FILE = "params.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigReader() {}

    /** Reads {@code config.json} if the folder has one, else {@code params.json}. */
    public static MixtralConfig readFolder(Path dir) {
        if (Files.isRegularFile(dir.resolve(HF_FILE))) {
            return read(dir.resolve(HF_FILE));
        }
        if (Files.isRegularFile(dir.resolve(MISTRAL_FILE))) {
            return read(dir.resolve(MISTRAL_FILE));
        }
        throw new BadInputException(dir + ": no " + HF_FILE + " or " + MISTRAL_FILE + " in the model folder");
    }

    /** Reads one configuration file; a {@code moe} or {@code dim} key marks the Mistral-native format. */
    public static MixtralConfig read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new BadInputException(file + ": not readable JSON (" + oneLine(e) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException(file + ": expected a JSON object");
        }
        Keys keys = new Keys(file, root);
        try {
            return root.has("dim") || root.has("moe") ? fromMistral(keys) : fromHuggingFace(keys);
        } catch (BadInputException e) {
            // MixtralConfig's own checks do not know the file; the user needs to know which one to fix
            String m = e.getMessage();
            throw m.startsWith("config: ") ? new BadInputException(file + ": " + m.substring(8), e) : e;
        }
    }

    /** Reads a Hugging Face configuration held in a string, e.g. a trace's metadata; {@code source} names it in errors. */
    public static MixtralConfig parseHuggingFace(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new BadInputException(source + ": configuration is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException(source + ": configuration is not a JSON object");
        }
        return fromHuggingFace(new Keys(Path.of(source), root));
    }

    static MixtralConfig fromHuggingFace(Keys k) {
        String type = k.text("model_type", "mixtral");
        if (!type.equals("mixtral")) {
            throw k.error("model_type", "is '" + type + "', expected 'mixtral'");
        }
        int hidden = k.integer("hidden_size");
        int heads = k.integer("num_attention_heads");
        return new MixtralConfig(
                hidden,
                k.integer("intermediate_size"),
                k.integer("num_hidden_layers"),
                heads,
                k.integer("num_key_value_heads"),
                k.integerOr("head_dim", divide(k, "hidden_size", hidden, "num_attention_heads", heads)),
                k.integer("num_local_experts"),
                k.integer("num_experts_per_tok"),
                k.integer("vocab_size"),
                k.number("rope_theta", 1e6),
                k.number("rms_norm_eps", 1e-5),
                k.integerOr("max_position_embeddings", 4096 * 32),
                k.optionalInteger("sliding_window"),
                k.bool("tie_word_embeddings", false));
    }

    static MixtralConfig fromMistral(Keys k) {
        JsonNode moe = k.root.get("moe");
        if (moe == null || !moe.isObject()) {
            throw k.error("moe", "is missing: params.json of a dense model, not a Mixture-of-Experts");
        }
        Keys m = new Keys(k.file, moe, "moe.");
        int dim = k.integer("dim");
        int heads = k.integer("n_heads");
        return new MixtralConfig(
                dim,
                k.integer("hidden_dim"),
                k.integer("n_layers"),
                heads,
                k.integer("n_kv_heads"),
                k.integerOr("head_dim", divide(k, "dim", dim, "n_heads", heads)),
                m.integer("num_experts"),
                m.integer("num_experts_per_tok"),
                k.integer("vocab_size"),
                k.number("rope_theta", 1e6),
                k.number("norm_eps", 1e-5),
                k.integerOr("max_position_embeddings", 32768),
                k.optionalInteger("sliding_window"),
                false);
    }

    private static int divide(Keys k, String aKey, int a, String bKey, int b) {
        if (b <= 0 || a % b != 0) {
            throw k.error(aKey, "(" + a + ") is not a multiple of " + bKey + " (" + b + ") and no head_dim is given");
        }
        return a / b;
    }

    private static String oneLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** Typed access to a JSON object whose errors name the file and the key. */
    static final class Keys {
        final Path file;
        final JsonNode root;
        final String prefix;

        Keys(Path file, JsonNode root) {
            this(file, root, "");
        }

        Keys(Path file, JsonNode root, String prefix) {
            this.file = file;
            this.root = root;
            this.prefix = prefix;
        }

        BadInputException error(String key, String what) {
            return new BadInputException(file + ": key '" + prefix + key + "' " + what);
        }

        int integer(String key) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) {
                throw error(key, "is missing");
            }
            return toInt(key, v);
        }

        int integerOr(String key, int fallback) {
            JsonNode v = root.get(key);
            return v == null || v.isNull() ? fallback : toInt(key, v);
        }

        Integer optionalInteger(String key) {
            JsonNode v = root.get(key);
            return v == null || v.isNull() ? null : toInt(key, v);
        }

        double number(String key, double fallback) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isNumber()) {
                throw error(key, "must be a number, got " + v);
            }
            return v.doubleValue();
        }

        boolean bool(String key, boolean fallback) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isBoolean()) {
                throw error(key, "must be true or false, got " + v);
            }
            return v.booleanValue();
        }

        String text(String key, String fallback) {
            JsonNode v = root.get(key);
            return v == null || v.isNull() ? fallback : v.asText();
        }

        private int toInt(String key, JsonNode v) {
            if (!v.isIntegralNumber() && !(v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()))) {
                throw error(key, "must be an integer, got " + v);
            }
            if (!v.canConvertToInt()) {
                throw error(key, "is out of range: " + v);
            }
            return v.intValue();
        }
    }
}
