package mixtral.inspector.api;

import static mixtral.inspector.api.ApiFixture.json;
import static mixtral.inspector.api.ApiFixture.serve;
import static mixtral.inspector.api.ApiFixture.serveDemo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mixtral.inspector.Fixtures;
import mixtral.inspector.engine.Inspector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /api/model: what the inspector says about the model it serves, and the assets the page loads. Over HTTP, on the
 * demo model.
 */
class InspectorModelApiTest {
    @TempDir
    Path data;

    @Test
    void modelInfoDescribesTheTrainedDemoModelWithItsExamplesAndParameterCounts() {
        Inspector inspector = Fixtures.inspector(data);
        String example = inspector.traceExample();
        serve(inspector, (server, client) -> {
            Response r = client.get("/api/model");
            assertEquals(200, r.code());
            JsonNode m = json(r);
            assertFalse(m.get("randomWeights").asBoolean());
            assertTrue(m.get("card").get("facts").size() >= 2);
            assertEquals(8, m.get("config").get("num_local_experts").asInt());
            assertEquals(2, m.get("config").get("num_experts_per_tok").asInt());
            assertTrue(m.get("activeParameters").asLong() < m.get("totalParameters").asLong());
            assertEquals(Files.size(mixtral.demo.DemoModel.folder().resolve("model.safetensors")),
                    m.get("weights").get("bytes").asLong());
            List<String> languages = new ArrayList<>();
            m.get("examples").forEach(x -> {
                languages.add(x.get("language").asText());
                assertFalse(x.get("label").asText().isBlank());
            });
            assertEquals(List.of("en", "fr", "de", "es", "it", "java", "python"), languages);
            assertEquals(example, m.get("exampleTraceId").asText(), "the first example is traced at start");
            assertEquals(512, m.get("limits").get("maxTokens").asInt());
            assertTrue(m.get("nearTieMargin").asDouble() > 0);
        });
    }

    /**
     * The one-sentence description states sizes; they must be the served model's, or the sentence went stale. The
     * same check must catch a sentence with one number changed.
     */
    @Test
    void theDemoModelsDescriptionStatesTheServedModelsShapeAndSize() {
        serveDemo(data, (server, client) -> {
            JsonNode m = json(client.get("/api/model"));
            String description = m.get("description").asText();
            assertEquals(List.of(), misstatements(description, m), description);

            int layers = m.at("/config/num_hidden_layers").asInt();
            String stale = description.replace(layers + " layers", (layers + 1) + " layers");
            assertEquals(1, misstatements(stale, m).size(), stale);
        });
    }

    /** What {@code description} states about the model's shape and size that differs from the served {@code model}. */
    private static List<String> misstatements(String description, JsonNode model) {
        JsonNode c = model.get("config");
        Map<String, String> served = new LinkedHashMap<>();
        served.put("(\\d+) layers", c.get("num_hidden_layers").asText());
        served.put("(\\d+) experts with", c.get("num_local_experts").asText());
        served.put("top-(\\d+) routing", c.get("num_experts_per_tok").asText());
        served.put("hidden size (\\d+)", c.get("hidden_size").asText());
        served.put("(\\d+) query heads", c.get("num_attention_heads").asText());
        served.put("over (\\d+) key/value heads", c.get("num_key_value_heads").asText());
        served.put("([\\d.]+)M parameters",
                String.format(Locale.ROOT, "%.2f", model.get("totalParameters").asLong() / 1e6));
        served.put("(\\d+) MB in", Long.toString(Math.round(model.at("/weights/bytes").asLong() / 1e6)));
        served.put("MB in (\\w+)", model.at("/weights/dtype").asText().toLowerCase(Locale.ROOT));
        served.put("([\\d,]+)-piece tokenizer", String.format(Locale.ROOT, "%,d", c.get("vocab_size").asInt()));
        List<String> wrong = new ArrayList<>();
        served.forEach((pattern, value) -> {
            Matcher said = Pattern.compile(pattern).matcher(description);
            if (!said.find()) {
                wrong.add("states no /" + pattern + "/");
            } else if (!said.group(1).equals(value)) {
                wrong.add("/" + pattern + "/ says " + said.group(1) + ", the model has " + value);
            }
        });
        return wrong;
    }

    @Test
    void d3IsServedFromTheJar() {
        serveDemo(data, (server, client) -> {
            Response r = client.get("/webjars/d3/7.9.0/dist/d3.min.js");
            assertEquals(200, r.code());
            assertTrue(r.body().string().contains("d3js.org"));
        });
    }
}
