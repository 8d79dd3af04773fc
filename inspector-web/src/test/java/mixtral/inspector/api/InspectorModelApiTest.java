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

    /** The one-sentence description states sizes; they must be the served model's, or the sentence went stale. */
    @Test
    void theDemoModelsDescriptionStatesTheServedModelsShapeAndSize() {
        serveDemo(data, (server, client) -> {
            JsonNode m = json(client.get("/api/model"));
            JsonNode c = m.get("config");
            String description = m.get("description").asText();
            Map<String, String> stated = new LinkedHashMap<>();
            stated.put("(\\d+) layers", c.get("num_hidden_layers").asText());
            stated.put("(\\d+) experts with", c.get("num_local_experts").asText());
            stated.put("top-(\\d+) routing", c.get("num_experts_per_tok").asText());
            stated.put("hidden size (\\d+)", c.get("hidden_size").asText());
            stated.put("(\\d+) query heads", c.get("num_attention_heads").asText());
            stated.put("over (\\d+) key/value heads", c.get("num_key_value_heads").asText());
            stated.put("([\\d.]+)M parameters",
                    String.format(Locale.ROOT, "%.2f", m.get("totalParameters").asLong() / 1e6));
            stated.put("(\\d+) MB in", Long.toString(Math.round(m.at("/weights/bytes").asLong() / 1e6)));
            stated.put("MB in (\\w+)", m.at("/weights/dtype").asText().toLowerCase(Locale.ROOT));
            stated.put("([\\d,]+)-piece tokenizer", String.format(Locale.ROOT, "%,d", c.get("vocab_size").asInt()));
            stated.forEach((pattern, served) -> {
                Matcher said = Pattern.compile(pattern).matcher(description);
                assertTrue(said.find(), "the description no longer states /" + pattern + "/: " + description);
                assertEquals(served, said.group(1), "/" + pattern + "/ in: " + description);
            });
        });
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
