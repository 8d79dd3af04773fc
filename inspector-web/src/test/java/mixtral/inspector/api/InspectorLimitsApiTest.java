package mixtral.inspector.api;

import static mixtral.inspector.api.ApiFixture.JSON;
import static mixtral.inspector.api.ApiFixture.assertError;
import static mixtral.inspector.api.ApiFixture.json;
import static mixtral.inspector.api.ApiFixture.post;
import static mixtral.inspector.api.ApiFixture.serve;
import static mixtral.inspector.api.ApiFixture.serveDemo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.Response;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mixtral.inspector.Fixtures;
import mixtral.inspector.engine.Inspector;
import mixtral.inspector.engine.Limits;
import mixtral.inspector.engine.ModelRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits (token cap, body size, a full queue) and the progress the page shows while the model is busy. Over
 * HTTP, on the demo model.
 */
class InspectorLimitsApiTest {
    @TempDir
    Path data;

    @Test
    void progressIsIdleWhenNothingRuns() {
        serveDemo(data, (server, client) -> {
            Response r = client.get("/api/progress");
            assertEquals(200, r.code());
            JsonNode p = json(r);
            assertFalse(p.get("running").asBoolean());
            assertEquals(0, p.get("queued").asInt());
        });
    }

    @Test
    void progressEventsStreamTheCurrentStateAndThenEachChange() throws Exception {
        ModelRunner runner = new ModelRunner(1);
        Inspector inspector = Fixtures.inspector(data, Limits.defaults(), runner);
        serve(inspector, (server, client) -> {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            HttpRequest req = HttpRequest.newBuilder(java.net.URI.create(client.getOrigin() + "/api/progress/events"))
                    .header("Accept", "text/event-stream").build();
            var response = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(response.body(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                assertEquals("event: progress", in.readLine());
                String data = in.readLine();
                assertTrue(data.startsWith("data: {"), data);
                assertFalse(JSON.readTree(data.substring(6)).get("running").asBoolean());

                CountDownLatch release = new CountDownLatch(1);
                CompletableFuture<Integer> blocking = mixtral.inspector.engine.ModelRunnerProbe.block(runner, release);
                try {
                    // A state that changed while this client connected may arrive twice: wait for the run itself.
                    String line;
                    JsonNode running = null;
                    for (int events = 0; events < 20 && (running == null || !running.get("running").asBoolean()); ) {
                        line = in.readLine();
                        if (line != null && line.startsWith("data: ")) {
                            running = JSON.readTree(line.substring(6));
                            events++;
                        }
                    }
                    line = String.valueOf(running);
                    assertTrue(running.get("running").asBoolean(), line);
                    assertEquals("blocking", running.get("task").asText());
                } finally {
                    release.countDown();
                    blocking.get(10, TimeUnit.SECONDS);
                }
            }
        });
    }

    @Test
    void aPromptOverTheTokenCapIs413() {
        Limits limits = new Limits(8, 4, 4096, 1, 4);
        Inspector inspector = Fixtures.inspector(data, limits, new ModelRunner(1));
        serve(inspector, (server, client) -> {
            String error = assertError(413, post(client, "/api/traces",
                    "{\"prompt\": \"a long prompt of many many words that will not fit\"}"));
            assertTrue(error.contains("at most 8 tokens"), error);
            assertError(413, post(client, "/api/traces", "{\"tokens\": [1, 2, 3, 4, 5], \"generate\": 4}"));
        });
    }

    @Test
    void aBodyOverTheRequestSizeCapIs413() {
        Limits limits = new Limits(512, 4, 1024, 1, 4);
        Inspector inspector = Fixtures.inspector(data, limits, new ModelRunner(1));
        serve(inspector, (server, client) -> {
            String body = "{\"prompt\": \"" + "a".repeat(2000) + "\"}";
            assertTrue(assertError(413, post(client, "/api/traces", body)).contains("1024 bytes"));
        });
    }

    @Test
    void whenTheModelIsBusyAndTheQueueFullTheAnswerIs429WithRetryAfter() throws Exception {
        ModelRunner runner = new ModelRunner(0);
        Inspector inspector = Fixtures.inspector(data, new Limits(512, 4, 4096, 0, 4), runner);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> blocking = mixtral.inspector.engine.ModelRunnerProbe.block(runner, release);
        try {
            serve(inspector, (server, client) -> {
                Response r = post(client, "/api/traces", "{\"tokens\": [1, 2, 3]}");
                assertError(429, r);
                int retry = Integer.parseInt(r.headers().get("Retry-After").get(0));
                assertTrue(retry >= 1, "Retry-After " + retry);
                JsonNode p = json(client.get("/api/progress"));
                assertTrue(p.get("running").asBoolean());
                assertEquals("blocking", p.get("task").asText());
            });
        } finally {
            release.countDown();
            blocking.get(10, TimeUnit.SECONDS);
        }
    }
}
