package mixtral.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The keys of a configuration file as the code sees them: bound by a record's reader, or present in written JSON. */
public final class BoundKeys {
    private BoundKeys() {}

    /** Every key {@code record} binds, dotted for nested records ({@code moe.num_experts}), to whether it is needed. */
    public static Map<String, Boolean> read(Class<?> record) {
        Map<String, Boolean> keys = new TreeMap<>();
        collect(record, "", keys);
        return keys;
    }

    private static void collect(Class<?> record, String prefix, Map<String, Boolean> keys) {
        var description = ConfigJson.MAPPER.getDeserializationConfig()
                .introspect(ConfigJson.MAPPER.constructType(record));
        for (BeanPropertyDefinition p : description.findProperties()) {
            keys.put(prefix + p.getName(), p.isRequired());
            if (p.getRawPrimaryType().isRecord()) {
                collect(p.getRawPrimaryType(), prefix + p.getName() + ".", keys);
            }
        }
    }

    /** Every key of a written JSON object, dotted for nested objects, objects themselves included. */
    public static Set<String> written(JsonNode object) {
        Set<String> keys = new TreeSet<>();
        collect(object, "", keys);
        return keys;
    }

    private static void collect(JsonNode object, String prefix, Set<String> keys) {
        object.properties().forEach(e -> {
            keys.add(prefix + e.getKey());
            if (e.getValue().isObject()) {
                collect(e.getValue(), prefix + e.getKey() + ".", keys);
            }
        });
    }
}
