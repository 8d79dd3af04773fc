package mixtral.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.util.Set;
import mixtral.config.BoundKeys;
import mixtral.config.HuggingFaceConfigJson;
import mixtral.config.MistralParamsJson;
import org.junit.jupiter.api.Test;

class LayoutTest {
    /** A shape error tells the user which keys to look at; each must be a key of that layout's file. */
    @Test
    void shapeErrorsNameKeysOfTheLayoutsOwnConfigFile() throws Exception {
        for (Layout layout : Layout.values()) {
            Class<?> reader = layout == Layout.HUGGING_FACE ? HuggingFaceConfigJson.class : MistralParamsJson.class;
            Set<String> bound = BoundKeys.read(reader).keySet();
            Layout.Keys keys = layout.configKeys();
            RecordComponent[] components = Layout.Keys.class.getRecordComponents();
            assertEquals(7, components.length);
            for (RecordComponent k : components) {
                String key = (String) k.getAccessor().invoke(keys);
                assertTrue(bound.contains(key), layout + " names '" + key + "' for " + k.getName() + ", not a key of "
                        + layout.configFile);
            }
        }
    }
}
