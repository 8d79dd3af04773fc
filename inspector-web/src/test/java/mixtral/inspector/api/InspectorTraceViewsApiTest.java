package mixtral.inspector.api;

import mixtral.inspector.analysis.TraceAnalysis;
import mixtral.trace.TraceTensor;
import static mixtral.inspector.api.ApiFixture.assertError;
import static mixtral.inspector.api.ApiFixture.create;
import static mixtral.inspector.api.ApiFixture.floats;
import static mixtral.inspector.api.ApiFixture.ints;
import static mixtral.inspector.api.ApiFixture.json;
import static mixtral.inspector.api.ApiFixture.post;
import static mixtral.inspector.api.ApiFixture.serveDemo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.Response;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mixtral.inspector.Fixtures;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GET /api/traces/{id}/...: the views of a stored trace, and what an unknown, lost or corrupt id gets. Over HTTP,
 * on the demo model.
 */
class InspectorTraceViewsApiTest {
    @TempDir
    Path data;

    @Test
    void theSummaryHasRoutingLoadAndNormsForEveryLayerAndToken() {
        serveDemo(data, (server, client) -> {
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
            for (String stream : TraceAnalysis.NORM_VIEWS.stream().map(TraceTensor::leaf).toList()) {
                assertEquals(6, s.get("norms").get(stream).size(), stream);
                assertEquals(5, s.get("norms").get(stream).get(0).size(), stream);
            }
            assertEquals(5, s.get("next").size());
        });
    }

    @Test
    void everyCellsEntropyIsTheBitsOfItsServedRouterDistribution() {
        serveDemo(data, (server, client) -> {
            String id = create(client, "{\"tokens\": [1, 50, 60, 70, 80, 90]}");
            JsonNode s = json(client.get("/api/traces/" + id));
            double max = Math.log(s.get("experts").asInt()) / Math.log(2);
            int undecided = 0;
            for (JsonNode row : s.get("routing")) {
                for (JsonNode cell : row) {
                    // against the served probs: natural log (x0.69) or unnormalised probabilities would not match
                    double h = 0;
                    for (JsonNode p : cell.get("probs")) {
                        h -= p.asDouble() > 0 ? p.asDouble() * Math.log(p.asDouble()) / Math.log(2) : 0;
                    }
                    double served = cell.get("entropy").asDouble();
                    assertEquals(h, served, 1e-5, "entropy of " + cell);
                    assertTrue(served >= 0 && served <= max + 1e-12, "bits in [0, log2 E]: " + served);
                    undecided += served > 0.5 ? 1 : 0;
                }
            }
            assertTrue(undecided > 0, "some decisions are not certain, so the check compares something");
        });
    }

    @Test
    void aTokensDetailHasEveryLayerWithItsLogitLens() {
        serveDemo(data, (server, client) -> {
            String id = create(client, "{\"tokens\": [1, 50, 60, 70]}");
            Response r = client.get("/api/traces/" + id + "/tokens/2");
            assertEquals(200, r.code());
            JsonNode d = json(r);
            assertEquals(2, d.get("token").get("position").asInt());
            assertEquals(6, d.get("layers").size());
            JsonNode layer = d.get("layers").get(0);
            assertEquals(5, layer.get("logitLens").size());
            assertEquals(8, layer.get("logits").size());
            for (JsonNode each : d.get("layers")) {
                double margin = Fixtures.weakestChosenMinusStrongestOther(floats(each.get("logits")),
                        ints(each.get("experts")));
                assertEquals(margin, each.get("margin").asDouble(), 1e-6,
                        "layer " + each.get("layer").asInt() + ": margin from the served logits and experts");
            }

            assertError(404, client.get("/api/traces/" + id + "/tokens/4"));
            assertError(404, client.get("/api/traces/" + id + "/tokens/-1"));
            assertError(400, client.get("/api/traces/" + id + "/tokens/two"));
        });
    }

    @Test
    void attentionOfOneLayerAndHeadIsComputedOnDemand() {
        serveDemo(data, (server, client) -> {
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
        serveDemo(data, (server, client) -> {
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
    void unknownTracesAndRoutesAre404() {
        serveDemo(data, (server, client) -> {
            assertTrue(assertError(404, client.get("/api/traces/0123456789abcdef")).contains("0123456789abcdef"));
            assertError(404, client.get("/api/traces/not-an-id"));
            assertError(404, client.get("/api/traces/..%2F..%2Fetc%2Fpasswd"));
            assertError(404, client.get("/api/nothing-here"));
        });
    }

    @Test
    void aTraceIdStillWorksAfterARestartWithTheSameDataDirectory() {
        String[] id = new String[1];
        serveDemo(data, (server, client) ->
                id[0] = create(client, "{\"prompt\": \"Shared links survive restarts.\"}"));
        serveDemo(data, (server, client) -> {
            Response r = client.get("/api/traces/" + id[0]);
            assertEquals(200, r.code(), r.body().string());
            assertEquals(id[0], json(r).get("id").asText());
        });
    }

    @Test
    void aCorruptTraceFileIsA404NotACrash() throws Exception {
        Files.createDirectories(data);
        Files.writeString(data.resolve("00000000000000ff.safetensors"), "garbage");
        serveDemo(data, (server, client) -> {
            assertError(404, client.get("/api/traces/00000000000000ff"));
            assertEquals(200, client.get("/api/model").code());
        });
    }

    /** A file in the data folder is served only as this model's trace of the tokens its id names. */
    @Test
    void aTraceFileOfAnotherModelOrNoneOrRenamedIsA404AndIsNotDownloaded() throws Exception {
        String foreign = Fixtures.traceOfAnotherModel(data, new long[] {1, 50, 60});
        String[] ours = new String[1];
        serveDemo(data, (server, client) -> ours[0] = create(client, "{\"tokens\": [1, 70, 80]}"));
        Files.copy(data.resolve(ours[0] + ".safetensors"), data.resolve("00000000000000aa.safetensors"));
        Trace unsigned = Trace.of(Fixtures.demo().config(), Map.of(TensorNames.TOKENS, Nd4j.createFromArray(1L, 70L, 80L)));
        unsigned.write(data.resolve(ours[0] + ".safetensors"));
        serveDemo(data, (server, client) -> {
            for (String path : List.of("", "/trace.safetensors", "/tokens/0")) {
                assertTrue(assertError(404, client.get("/api/traces/" + foreign + path)).contains("Other model"));
                assertTrue(assertError(404, client.get("/api/traces/" + ours[0] + path)).contains("another model"));
                assertTrue(assertError(404, client.get("/api/traces/00000000000000aa" + path))
                        .contains("other tokens"));
            }
            Response again = post(client, "/api/traces", "{\"tokens\": [1, 70, 80]}");
            assertEquals(201, again.code(), "the model runs again and its trace replaces the foreign file");
            assertEquals(200, client.get("/api/traces/" + ours[0] + "/trace.safetensors").code());
        });
    }
}
