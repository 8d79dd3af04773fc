package mixtral.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mixtral.BadInputException;

/**
 * Reads a model's hyper-parameters from a Hugging Face {@code config.json} ({@link HuggingFaceConfigJson}) or a
 * Mistral-native {@code params.json} ({@link MistralParamsJson}). Every refusal is one line naming the file and the
 * key, dotted for nested ones ({@code moe.num_experts}).
 */
public final class ConfigReader {
    private static final Map<Class<?>, String> KINDS = Map.of(Integer.class, "an integer", Double.class, "a number",
            Boolean.class, "true or false", String.class, "a string", List.class, "a list");

    private ConfigReader() {}

    /** Reads {@code config.json} if the folder has one, else {@code params.json}. */
    public static MixtralConfig readFolder(Path dir) {
        for (String name : new String[] {HuggingFaceConfigJson.FILE, MistralParamsJson.FILE}) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return read(dir.resolve(name));
            }
        }
        throw new BadInputException(dir + ": no " + HuggingFaceConfigJson.FILE + " or " + MistralParamsJson.FILE
                + " in the model folder");
    }

    /** Reads one configuration file, of either layout (see {@link MistralParamsJson#isMistral}). */
    public static MixtralConfig read(Path file) {
        if (Files.isDirectory(file)) {
            throw new BadInputException(file + ": is a folder, not a configuration file");
        }
        if (!Files.exists(file)) {
            throw new BadInputException(file + ": no such file");
        }
        JsonNode root;
        try {
            root = ConfigJson.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new BadInputException(file + ": not readable JSON (" + oneLine(e) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException(file + ": expected a JSON object");
        }
        return toConfig(root, file.toString(),
                MistralParamsJson.isMistral(root) ? MistralParamsJson.class : HuggingFaceConfigJson.class);
    }

    /** Reads a Hugging Face configuration held in a string, e.g. a trace's metadata; {@code source} names it in errors. */
    public static MixtralConfig parseHuggingFace(String json, String source) {
        JsonNode root;
        try {
            root = ConfigJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new BadInputException(source + ": configuration is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException(source + ": configuration is not a JSON object");
        }
        return toConfig(root, source, HuggingFaceConfigJson.class);
    }

    private static MixtralConfig toConfig(JsonNode root, String source, Class<? extends ConfigFile> layout) {
        try {
            return bind(root, source, layout).toConfig();
        } catch (BadInputException e) {
            // the configuration's own checks do not know the file; the user needs to know which one to fix
            String m = e.getMessage();
            throw m.startsWith("config: ") ? new BadInputException(source + ": " + m.substring(8), e) : e;
        }
    }

    private static <T> T bind(JsonNode root, String source, Class<T> layout) {
        try {
            return ConfigJson.MAPPER.treeToValue(withoutNulls(root), layout);
        } catch (JsonMappingException e) {
            List<String> path = e.getPath().stream().map(JsonMappingException.Reference::getFieldName).toList();
            JsonNode value = root;
            for (String key : path) {
                value = value.path(key);
            }
            throw new BadInputException(source + ": key '" + String.join(".", path) + "' " + problem(e, value), e);
        } catch (JsonProcessingException e) {
            throw new BadInputException(source + ": " + oneLine(e), e);
        }
    }

    /** What is wrong with {@code value}, which Jackson could not bind. */
    private static String problem(JsonMappingException e, JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return "is missing";
        }
        if (value.isIntegralNumber() && !value.canConvertToInt()) {
            return "is out of range: " + value;
        }
        Class<?> wanted = e instanceof MismatchedInputException m ? m.getTargetType() : null;
        String kind = wanted != null && wanted.isRecord() ? "an object" : KINDS.getOrDefault(wanted, "another type");
        return "must be " + kind + ", got " + value;
    }

    /** A key set to null is as absent as a missing one: required, it is missing; optional, it takes its default. */
    private static JsonNode withoutNulls(JsonNode node) {
        if (!node.isObject()) {
            return node;
        }
        ObjectNode copy = ConfigJson.MAPPER.createObjectNode();
        node.properties().forEach(e -> {
            if (!e.getValue().isNull()) {
                copy.set(e.getKey(), withoutNulls(e.getValue()));
            }
        });
        return copy;
    }

    private static String oneLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
