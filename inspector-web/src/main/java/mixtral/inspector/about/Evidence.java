package mixtral.inspector.about;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import mixtral.config.MixtralConfig;
import mixtral.evidence.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the demo model's routing learned, measured on held-out text by {@code ./mixtral evidence} and shipped as the
 * resource {@code /demo-model/evidence.json}. Shape legend: L layers, G groups (languages and code), E experts.
 * <pre>
 * {"what", "command", "model": {"layers", "experts", "top_k", "parameters", "safetensors_sha256"},
 *  "heldout": {"window_tokens", "windows_per_source", "tokens": {group: N}, "manifest_sha256"},
 *  "groups": [G], "trained": STATS, "random": STATS,
 *  "chance": {"mutual_information_bits", "classifier_accuracy", "repeat_first", "repeat_either"}}
 * STATS = {"load": [L][G][E], "first_choice": [L][G][E], "mutual_information_bits": [L], "classifier_accuracy": [L],
 *          "repeat_first": [L], "repeat_first_by_group": [L][G], "repeat_either": [L], "repeat_either_by_group": [L][G]}
 * </pre>
 * The file is served as it is, but only when its shapes fit the model and it was computed on these very weights (its
 * {@code model.safetensors_sha256}): evidence about other weights is no evidence about this model. Otherwise
 * {@link #absence()} says why in one line, and {@code GET /api/evidence} answers 404 with it.
 */
public final class Evidence {
    public static final String RESOURCE = "/demo-model/evidence.json";
    private static final Logger LOG = LoggerFactory.getLogger(Evidence.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PER_LAYER = List.of("mutual_information_bits", "classifier_accuracy",
            "repeat_first", "repeat_either");
    private static final List<String> PER_LAYER_GROUP = List.of("repeat_first_by_group", "repeat_either_by_group");
    private static final List<String> PER_LAYER_GROUP_EXPERT = List.of("load", "first_choice");

    private final JsonNode json;
    private final String absence;

    private Evidence(JsonNode json, String absence) {
        this.json = json;
        this.absence = absence;
    }

    public static Evidence none(String why) {
        return new Evidence(null, why);
    }

    /** The evidence JSON, when there is usable evidence for this model. */
    public Optional<JsonNode> json() {
        return Optional.ofNullable(json);
    }

    /** Why there is none, in one line; null when there is. */
    public String absence() {
        return absence;
    }

    /** The demo model's evidence from the classpath, checked against its configuration and its weight file. */
    public static Evidence demo(MixtralConfig config, Path weights) {
        try (InputStream in = Evidence.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return none("the demo model has no " + RESOURCE + " in this build; ./mixtral evidence makes it");
            }
            return check(JSON.readTree(in), config, Sha256.of(weights));
        } catch (IOException e) {
            return logged(none(RESOURCE + " is not readable JSON: " + e.getMessage().lines().findFirst().orElse("")));
        }
    }

    /** {@code json} if its shapes fit {@code config} and it names these weights, otherwise the reason why not. */
    public static Evidence check(JsonNode json, MixtralConfig config, String weightsSha256) {
        try {
            int layers = config.numHiddenLayers();
            int experts = config.numLocalExperts();
            expectInt(json, "/model/layers", layers);
            expectInt(json, "/model/experts", experts);
            JsonNode groups = json.path("groups");
            if (!groups.isArray() || groups.isEmpty() || !groups.get(0).isTextual()) {
                throw new IllegalArgumentException("\"groups\" is not a list of names");
            }
            int g = groups.size();
            for (String weights : List.of("trained", "random")) {
                JsonNode stats = json.path(weights);
                PER_LAYER.forEach(k -> shape(stats.path(k), weights + "." + k, layers));
                PER_LAYER_GROUP.forEach(k -> shape(stats.path(k), weights + "." + k, layers, g));
                PER_LAYER_GROUP_EXPERT.forEach(k -> shape(stats.path(k), weights + "." + k, layers, g, experts));
            }
            PER_LAYER.forEach(k -> shape(json.path("chance").path(k), "chance." + k));
            String named = normalise(json.at("/model/safetensors_sha256").asText(""));
            if (!named.equals(normalise(weightsSha256))) {
                return logged(none(RESOURCE + " was computed on other weights (sha256 " + abbreviate(named)
                        + "), not these (" + abbreviate(normalise(weightsSha256)) + "); run ./mixtral evidence again"));
            }
            return new Evidence(json, null);
        } catch (IllegalArgumentException e) {
            return logged(none(RESOURCE + " does not fit the model: " + e.getMessage()));
        }
    }

    private static void expectInt(JsonNode json, String pointer, int expected) {
        JsonNode n = json.at(pointer);
        if (!n.isInt() || n.intValue() != expected) {
            throw new IllegalArgumentException(pointer + " is " + (n.isMissingNode() ? "missing" : n.toString())
                    + ", the model has " + expected);
        }
    }

    /** Checks that {@code node} is a number (no dims) or nested lists of numbers of exactly these lengths. */
    static void shape(JsonNode node, String name, int... dims) {
        if (dims.length == 0) {
            if (!node.isNumber()) {
                throw new IllegalArgumentException(name + " is not a number");
            }
            return;
        }
        if (!node.isArray() || node.size() != dims[0]) {
            throw new IllegalArgumentException(name + " should be a list of " + dims[0] + ", is "
                    + (node.isArray() ? "a list of " + node.size() : node.isMissingNode() ? "missing" : node.getNodeType()));
        }
        int[] rest = Arrays.copyOfRange(dims, 1, dims.length);
        for (int i = 0; i < node.size(); i++) {
            shape(node.get(i), name + "[" + i + "]", rest);
        }
    }

    private static Evidence logged(Evidence e) {
        LOG.warn("no evidence shown: {}", e.absence);
        return e;
    }

    private static String normalise(String sha) {
        return sha.toLowerCase(Locale.ROOT).replaceFirst("^sha256:", "");
    }

    private static String abbreviate(String sha) {
        return sha.isEmpty() ? "not given" : sha.substring(0, Math.min(12, sha.length())) + "…";
    }
}
