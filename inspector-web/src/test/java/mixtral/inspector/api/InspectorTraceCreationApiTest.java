package mixtral.inspector.api;

import static mixtral.inspector.api.ApiFixture.JSON;
import static mixtral.inspector.api.ApiFixture.assertError;
import static mixtral.inspector.api.ApiFixture.json;
import static mixtral.inspector.api.ApiFixture.post;
import static mixtral.inspector.api.ApiFixture.serveDemo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.Response;
import java.nio.file.Path;
import mixtral.inspector.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POST /api/traces: a prompt or token ids become a trace; anything else is a one-line 400. Over HTTP, on the demo
 * model.
 */
class InspectorTraceCreationApiTest {
    @TempDir
    Path data;

    @Test
    void postingAPromptCreatesATraceAndPostingItAgainReusesIt() {
        serveDemo(data, (server, client) -> {
            Response first = post(client, "/api/traces", "{\"prompt\": \"Bonjour le monde\"}");
            assertEquals(201, first.code(), first.body().string());
            JsonNode created = json(first);
            String id = created.get("id").asText();
            assertEquals("/api/traces/" + id, first.headers().get("Location").get(0));
            assertEquals("/?trace=" + id, created.get("url").asText());
            assertEquals("Bonjour le monde", created.get("text").asText());
            assertEquals("<s>", created.get("tokens").get(0).get("piece").asText());
            assertEquals(0, created.get("generated").asInt());
            assertFalse(created.get("reused").asBoolean());
            assertEquals(5, created.get("next").size());

            Response again = post(client, "/api/traces", "{\"prompt\": \"Bonjour le monde\"}");
            assertEquals(200, again.code());
            assertEquals(id, json(again).get("id").asText());
            assertTrue(json(again).get("reused").asBoolean());
        });
    }

    @Test
    void tokensAndGenerateMakeALongerTrace() {
        serveDemo(data, (server, client) -> {
            Response r = post(client, "/api/traces", "{\"tokens\": [1, 50, 60], \"generate\": 4}");
            assertEquals(201, r.code(), r.body().string());
            assertEquals(7, json(r).get("tokens").size());
            assertEquals(4, json(r).get("generated").asInt());
        });
    }

    @Test
    void anHtmlPromptComesBackAsPlainJsonText() {
        serveDemo(data, (server, client) -> {
            String prompt = "<script>alert('x')</script><img src=x onerror=alert(1)>";
            Response r = post(client, "/api/traces", JSON.writeValueAsString(java.util.Map.of("prompt", prompt)));
            assertEquals(201, r.code(), r.body().string());
            assertTrue(r.headers().get("Content-Type").get(0).startsWith("application/json"));
            JsonNode created = json(r);
            assertEquals(prompt, created.get("text").asText());
            StringBuilder joined = new StringBuilder();
            created.get("tokens").forEach(t -> joined.append(t.get("piece").asText()));
            assertTrue(joined.toString().contains("<") && joined.toString().contains("script"), joined.toString());
        });
    }

    @Test
    void malformedOrIncompleteRequestsAreBadRequests() {
        serveDemo(data, (server, client) -> {
            assertTrue(assertError(400, post(client, "/api/traces", "{\"prompt\": ")).contains("JSON"));
            assertError(400, post(client, "/api/traces", ""));
            assertError(400, post(client, "/api/traces", "[1, 2]"));
            assertTrue(assertError(400, post(client, "/api/traces", "{\"prompt\": \"a\", \"tokens\": [1]}"))
                    .contains("exactly one"));
            assertTrue(assertError(400, post(client, "/api/traces", "{}")).contains("exactly one"));
            assertTrue(assertError(400, post(client, "/api/traces", "{\"promt\": \"a\"}")).contains("promt"));
            assertError(400, post(client, "/api/traces", "{\"tokens\": [\"one\"]}"));
            assertError(400, post(client, "/api/traces", "{\"tokens\": [1, null]}"));
            assertError(400, post(client, "/api/traces", "{\"tokens\": []}"));
            assertTrue(assertError(400, post(client, "/api/traces", "{\"prompt\": \"  \"}")).contains("empty"));
            assertError(400, post(client, "/api/traces", "{\"prompt\": \"a\", \"generate\": -1}"));
            assertError(400, post(client, "/api/traces", "{\"prompt\": \"a\", \"generate\": 65}"));
        });
    }

    @Test
    void aTokenIdOutsideTheVocabularyIsABadRequestNamingIt() {
        serveDemo(data, (server, client) -> {
            int vocab = Fixtures.demo().config().vocabSize();
            String error = assertError(400, post(client, "/api/traces", "{\"tokens\": [1, " + vocab + "]}"));
            assertTrue(error.contains(Integer.toString(vocab)) && error.contains("vocabulary"), error);
        });
    }
}
