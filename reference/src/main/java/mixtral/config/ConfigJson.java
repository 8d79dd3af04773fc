package mixtral.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;

/** Writes a configuration as a Hugging Face {@code config.json} object, which {@link ConfigReader} reads back. */
public final class ConfigJson {
    /**
     * Binds the configuration records strictly: a value of the wrong JSON type is refused rather than converted
     * (4.5 layers is not 4, "32" is not 32, 1 is not true). Keys the model does not use are ignored: the published
     * files carry many.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Boolean,
                    c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
            .build();

    private ConfigJson() {}

    /** Every key of {@link HuggingFaceConfigJson#from}, as the trace metadata and the inspector carry it. */
    public static ObjectNode toHuggingFace(MixtralConfig c) {
        return MAPPER.valueToTree(HuggingFaceConfigJson.from(c));
    }

    public static String toHuggingFaceString(MixtralConfig c) {
        return toHuggingFace(c).toPrettyString();
    }
}
