package mixtral.inspector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mixtral.evidence.EvidenceJson;
import mixtral.evidence.EvidenceReport;
import mixtral.inspector.Fixtures;
import mixtral.inspector.InspectorApp;
import mixtral.inspector.about.Evidence;
import mixtral.inspector.engine.Inspector;
import mixtral.inspector.engine.Limits;
import mixtral.inspector.engine.ModelRunner;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint over HTTP, on the demo model, errors included. */
class InspectorAppTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    static Response post(HttpClient client, String path, String body) {
        return client.request(path, b -> b.post(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"));
    }

    static JsonNode json(Response r) throws Exception {
        return JSON.readTree(r.body().string());
    }

    /** Asserts an error response: the status, a JSON {status, error} body of one line, no stack trace. */
    static String assertError(int status, Response r) throws Exception {
        assertEquals(status, r.code(), r.body().string());
        JsonNode body = json(r);
        assertEquals(status, body.get("status").asInt());
        String error = body.get("error").asText();
        assertFalse(error.isBlank());
        assertFalse(error.contains("\n") || error.contains("\tat "), error);
        return error;
    }

    static String create(HttpClient client, String body) throws Exception {
        Response r = post(client, "/api/traces", body);
        assertTrue(r.code() == 201 || r.code() == 200, r.body().string());
        return json(r).get("id").asText();
    }

    @Test
    void modelInfoDescribesTheTrainedDemoModelWithItsExamplesAndParameterCounts() {
        Inspector inspector = Fixtures.inspector(data);
        String example = inspector.traceExample();
        JavalinTest.test(InspectorApp.create(inspector), (server, client) -> {
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

    @Test
    void theDemoModelsDescriptionNoLongerSaysItsWeightsAreRandom() {
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
            String description = json(client.get("/api/model")).get("description").asText();
            assertFalse(description.toLowerCase(java.util.Locale.ROOT).contains("random"),
                    "the demo model is trained (mixtral.demo.DemoModel.DESCRIPTION): " + description);
        });
    }

    @Test
    void theDemoModelsEvidenceIsServedAsShippedAndFitsItsWeights() throws IOException {
        Fixtures.requireInCi(getClass().getResource(EvidenceJson.DEMO) != null, "no " + EvidenceJson.DEMO
                + " on the classpath: ./mixtral evidence writes it (the lead commits it with the final weights)");
        Inspector inspector = Fixtures.inspector(data);
        assertEquals(null, inspector.model().evidence().absence(), "the shipped evidence must fit the demo model");
        String shipped;
        try (var in = getClass().getResourceAsStream(EvidenceJson.DEMO)) {
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        JavalinTest.test(InspectorApp.create(inspector), (server, client) -> {
            assertTrue(json(client.get("/api/model")).get("evidence").asBoolean());
            Response r = client.get("/api/evidence");
            String body = r.body().string();
            assertEquals(200, r.code(), body);
            assertEquals(shipped, body, "the typed record, written as evidence.json is");
            EvidenceReport served = inspector.model().evidence().report().orElseThrow();
            assertEquals(mixtral.evidence.Sha256.of(mixtral.demo.DemoModel.folder().resolve("model.safetensors")),
                    served.model().safetensorsSha256().replaceFirst("^sha256:", ""));
            assertEquals(6, served.trained().firstChoice().length);
        });
    }

    @Test
    void aModelWithoutEvidenceAnswers404SayingWhy() {
        Inspector inspector = Fixtures.inspector(Fixtures.demoWith(Evidence.none("no evidence for this model")), data,
                Limits.defaults(), new ModelRunner(1));
        JavalinTest.test(InspectorApp.create(inspector), (server, client) -> {
            assertFalse(json(client.get("/api/model")).get("evidence").asBoolean());
            assertEquals("no evidence for this model", assertError(404, client.get("/api/evidence")));
        });
    }

    @Test
    void evidenceForOtherWeightsIsNotServed() throws Exception {
        EvidenceReport fixture;
        try (var in = getClass().getResourceAsStream("/evidence/fixture.json")) {
            fixture = EvidenceJson.read(in, "fixture.json");
        }
        Evidence other = Evidence.check(fixture, Fixtures.demo().config(), "ab".repeat(32));
        Inspector inspector = Fixtures.inspector(Fixtures.demoWith(other), data, Limits.defaults(), new ModelRunner(1));
        JavalinTest.test(InspectorApp.create(inspector), (server, client) ->
                assertTrue(assertError(404, client.get("/api/evidence")).contains("other weights")));
    }

    @Test
    void postingAPromptCreatesATraceAndPostingItAgainReusesIt() {
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
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
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
            Response r = post(client, "/api/traces", "{\"tokens\": [1, 50, 60], \"generate\": 4}");
            assertEquals(201, r.code(), r.body().string());
            assertEquals(7, json(r).get("tokens").size());
            assertEquals(4, json(r).get("generated").asInt());
        });
    }

    @Test
    void theSummaryHasRoutingLoadAndNormsForEveryLayerAndToken() {
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
            String id = create(client, "{\"tokens\": [1, 50, 60, 70, 80]}");
            Response r = client.get("/api/traces/" + id);
            assertEquals(200, r.code());
            JsonNode s = json(r);
            assertEquals(6, s.get("routing").size());
            assertEquals(5, s.get("routing").get(0).size());
            JsonNode cell = s.get("routing").get(5).get(4);
            assertEquals(2, cell.get("experts").size());
            assertEquals(8, cell.get("probs").size());
            assertEquals(8, s.get("load").get(0).size());
            for (String stream : new String[] {"resid_post", "attn.out", "moe.out"}) {
                assertEquals(6, s.get("norms").get(stream).size(), stream);
                assertEquals(5, s.get("norms").get(stream).get(0).size(), stream);
            }
            assertEquals(5, s.get("next").size());
        });
    }

    @Test
    void aTokensDetailHasEveryLayerWithItsLogitLens() {
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
            String id = create(client, "{\"tokens\": [1, 50, 60, 70]}");
            Response r = client.get("/api/traces/" + id + "/tokens/2");
            assertEquals(200, r.code());
            JsonNode d = json(r);
            assertEquals(2, d.get("token").get("position").asInt());
            assertEquals(6, d.get("layers").size());
            JsonNode layer = d.get("layers").get(0);
            assertEquals(5, layer.get("logitLens").size());
            assertEquals(8, layer.get("logits").size());
            assertTrue(layer.get("margin").asDouble() >= 0);

            assertError(404, client.get("/api/traces/" + id + "/tokens/4"));
            assertError(404, client.get("/api/traces/" + id + "/tokens/-1"));
            assertError(400, client.get("/api/traces/" + id + "/tokens/two"));
        });
    }

    @Test
    void attentionOfOneLayerAndHeadIsComputedOnDemand() {
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
            String id = create(client, "{\"tokens\": [1, 50, 60]}");
            Response r = client.get("/api/traces/" + id + "/attention?layer=5&head=3");
            assertEquals(200, r.code(), r.body().string());
            JsonNode a = json(r);
            int heads = Fixtures.demo().config().numAttentionHeads();
            assertEquals(heads, a.get("heads").asInt());
            assertEquals(3, a.get("probs").size());
            assertEquals(1.0, a.get("probs").get(0).get(0).asDouble(), 1e-6, "the first token attends only to itself");

            assertTrue(assertError(400, client.get("/api/traces/" + id + "/attention?layer=6&head=0"))
                    .contains("layer"));
            assertTrue(assertError(400, client.get("/api/traces/" + id + "/attention?layer=0&head=" + heads))
                    .contains("head"));
            assertError(400, client.get("/api/traces/" + id + "/attention?layer=0"));
            assertError(400, client.get("/api/traces/" + id + "/attention?layer=x&head=0"));
            assertError(404, client.get("/api/traces/0123456789abcdef/attention?layer=0&head=0"));
        });
    }

    @Test
    void theDownloadIsAReadableTraceWithTheRoutingTensors() {
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
            String id = create(client, "{\"tokens\": [1, 50, 60, 70]}");
            Response r = client.get("/api/traces/" + id + "/trace.safetensors");
            assertEquals(200, r.code());
            assertTrue(r.headers().get("Content-Disposition").get(0).contains(id));
            // The test client reads bodies as text; the bytes come through a plain client asking for gzip, as
            // browsers do (a fixed Content-Length once broke compressed downloads).
            HttpRequest get = HttpRequest.newBuilder(java.net.URI.create(
                    client.getOrigin() + "/api/traces/" + id + "/trace.safetensors"))
                    .header("Accept-Encoding", "gzip").build();
            var raw = java.net.http.HttpClient.newHttpClient()
                    .send(get, java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, raw.statusCode());
            byte[] body = raw.headers().firstValue("Content-Encoding").orElse("").equals("gzip")
                    ? new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(raw.body())).readAllBytes()
                    : raw.body();
            Path file = data.resolve("downloaded.safetensors");
            Files.write(file, body);
            Trace t = Trace.read(file);
            assertEquals("mixtral-trace", t.metadata().get("format"));
            assertEquals(4, t.get(TensorNames.TOKENS).length());
            for (int l = 0; l < 6; l++) {
                assertEquals(4 * 8, t.get(TensorNames.routerLogits(l)).length());
                assertEquals(4 * 2, t.get(TensorNames.selectedExperts(l)).length());
                assertTrue(t.has(TensorNames.residPost(l)));
            }
            assertError(404, client.get("/api/traces/0123456789abcdef/trace.safetensors"));
        });
    }

    @Test
    void progressIsIdleWhenNothingRuns() {
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
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
        JavalinTest.test(InspectorApp.create(inspector), (server, client) -> {
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
    void malformedOrIncompleteRequestsAreBadRequests() {
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
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
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
            int vocab = Fixtures.demo().config().vocabSize();
            String error = assertError(400, post(client, "/api/traces", "{\"tokens\": [1, " + vocab + "]}"));
            assertTrue(error.contains(Integer.toString(vocab)) && error.contains("vocabulary"), error);
        });
    }

    @Test
    void aPromptOverTheTokenCapIs413() {
        Limits limits = new Limits(8, 4, 4096, 1, 4);
        Inspector inspector = Fixtures.inspector(data, limits, new ModelRunner(1));
        JavalinTest.test(InspectorApp.create(inspector), (server, client) -> {
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
        JavalinTest.test(InspectorApp.create(inspector), (server, client) -> {
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
            JavalinTest.test(InspectorApp.create(inspector), (server, client) -> {
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

    @Test
    void unknownTracesAndRoutesAre404() {
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
            assertTrue(assertError(404, client.get("/api/traces/0123456789abcdef")).contains("0123456789abcdef"));
            assertError(404, client.get("/api/traces/not-an-id"));
            assertError(404, client.get("/api/traces/..%2F..%2Fetc%2Fpasswd"));
            assertError(404, client.get("/api/nothing-here"));
        });
    }

    @Test
    void aTraceIdStillWorksAfterARestartWithTheSameDataDirectory() {
        String[] id = new String[1];
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) ->
                id[0] = create(client, "{\"prompt\": \"Shared links survive restarts.\"}"));
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
            Response r = client.get("/api/traces/" + id[0]);
            assertEquals(200, r.code(), r.body().string());
            assertEquals(id[0], json(r).get("id").asText());
        });
    }

    @Test
    void aCorruptTraceFileIsA404NotACrash() throws Exception {
        Files.createDirectories(data);
        Files.writeString(data.resolve("00000000000000ff.safetensors"), "garbage");
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
            assertError(404, client.get("/api/traces/00000000000000ff"));
            assertEquals(200, client.get("/api/model").code());
        });
    }

    @Test
    void anHtmlPromptComesBackAsPlainJsonText() {
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
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
    void d3IsServedFromTheJar() {
        JavalinTest.test(InspectorApp.create(Fixtures.inspector(data)), (server, client) -> {
            Response r = client.get("/webjars/d3/7.9.0/dist/d3.min.js");
            assertEquals(200, r.code());
            assertTrue(r.body().string().contains("d3js.org"));
        });
    }
}
