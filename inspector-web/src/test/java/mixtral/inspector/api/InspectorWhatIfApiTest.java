package mixtral.inspector.api;

import static mixtral.inspector.api.ApiFixture.assertError;
import static mixtral.inspector.api.ApiFixture.create;
import static mixtral.inspector.api.ApiFixture.json;
import static mixtral.inspector.api.ApiFixture.post;
import static mixtral.inspector.api.ApiFixture.serveDemo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/compare} and {@code POST /api/traces/{id}/whatif} on the demo model. */
class InspectorWhatIfApiTest {
    static final String PROMPT = "{\"prompt\": \"The router sends every token to two experts, and the experts add up.\"}";

    @TempDir
    Path data;

    /** A routing cell of the summary with its place. */
    record Site(int layer, int token, JsonNode cell) {
        double margin() {
            return cell.get("margin").asDouble();
        }

        /** Experts by router probability, most likely first. */
        List<Integer> byProbability() {
            JsonNode p = cell.get("probs");
            return IntStream.range(0, p.size()).boxed()
                    .sorted((a, b) -> Double.compare(p.get(b).asDouble(), p.get(a).asDouble())).toList();
        }
    }

    static List<Site> sites(JsonNode summary) {
        List<Site> out = new ArrayList<>();
        JsonNode routing = summary.get("routing");
        for (int l = 0; l < routing.size(); l++) {
            for (int t = 0; t < routing.get(l).size(); t++) {
                out.add(new Site(l, t, routing.get(l).get(t)));
            }
        }
        return out;
    }

    static JsonNode whatIf(HttpClient client, String id, String body, String query) throws Exception {
        Response r = post(client, "/api/traces/" + id + "/whatif" + query, body);
        assertTrue(r.code() == 201 || r.code() == 200, r.body().string());
        return json(r);
    }

    static JsonNode flipAt(JsonNode report, int layer, int token) {
        for (JsonNode f : report.get("flips")) {
            if (f.get("layer").asInt() == layer && f.get("token").asInt() == token) {
                return f;
            }
        }
        return null;
    }

    @Test
    void aTraceComparedWithItselfPassesWithNoFlipAndNoKl() {
        serveDemo(data, (server, client) -> {
            String a = create(client, PROMPT);
            JsonNode v = json(client.get("/api/compare?a=" + a + "&b=" + a));
            assertTrue(v.get("report").get("passed").asBoolean(), v.toString());
            assertTrue(v.get("replayed").asBoolean());
            assertFalse(v.get("alignedByPosition").asBoolean());
            assertEquals(0, v.get("report").get("flips").size());
            v.get("perTokenKl").forEach(k -> assertEquals(0.0, k.asDouble(), 1e-9));
            assertEquals(1e-4, v.get("tieMargin").asDouble(), "the API's default is the compare tool's");
        });
    }

    /** The closest call of the prompt, its K-th and (K+1)-th experts swapped: a flip within the tie margin. */
    @Test
    void forcingTheRunnerUpAtANearTieIsAFlipMarkedTie() {
        serveDemo(data, (server, client) -> {
            String a = create(client, PROMPT);
            JsonNode summary = json(client.get("/api/traces/" + a));
            int k = summary.get("k").asInt();
            Site s = sites(summary).stream().min((x, y) -> Double.compare(x.margin(), y.margin())).orElseThrow();
            List<Integer> order = s.byProbability();
            List<Integer> forced = new ArrayList<>(order.subList(0, k - 1));
            forced.add(order.get(k));
            double tieMargin = 2 * s.margin() + 1e-6;
            JsonNode w = whatIf(client, a, "{\"force\": [{\"layer\": " + s.layer() + ", \"token\": " + s.token()
                    + ", \"experts\": " + forced + "}]}", "?tieMargin=" + tieMargin);
            assertNotEquals(a, w.get("id").asText());
            assertEquals(1, w.get("intervention").get("force_experts").size());
            JsonNode report = w.get("diff").get("report");
            JsonNode flip = flipAt(report, s.layer(), s.token());
            assertNotNull(flip, "the forced token is a flip: " + report.get("flips"));
            assertTrue(flip.get("tie").asBoolean(), flip.toString());
            assertEquals(0, report.get("wrongDecisions").size(), report.get("wrongDecisions").toString());
            assertEquals(tieMargin, w.get("diff").get("tieMargin").asDouble());
            assertTrue(report.get("actualIntervention").asText().contains("force_experts"));
            JsonNode after = json(client.get("/api/traces/" + w.get("id").asText())).get("routing")
                    .get(s.layer()).get(s.token()).get("experts");
            assertEquals(forced.stream().sorted().toList(), sortedInts(after));
            assertNotNull(w.get("diff").get("nextB"), "the next-token distribution after the change");
        });
    }

    @Test
    void forcingTheLeastLikelyExpertsAtAClearDecisionIsARealFlipAndTheFirstDivergence() {
        serveDemo(data, (server, client) -> {
            String a = create(client, PROMPT);
            JsonNode summary = json(client.get("/api/traces/" + a));
            int k = summary.get("k").asInt();
            Site s = sites(summary).stream().max((x, y) -> Double.compare(x.margin(), y.margin())).orElseThrow();
            List<Integer> order = s.byProbability();
            List<Integer> forced = order.subList(order.size() - k, order.size());
            JsonNode w = whatIf(client, a, "{\"force\": [{\"layer\": " + s.layer() + ", \"token\": " + s.token()
                    + ", \"experts\": " + forced + "}]}", "?tieMargin=0.2");
            JsonNode report = w.get("diff").get("report");
            assertFalse(report.get("passed").asBoolean());
            assertFalse(flipAt(report, s.layer(), s.token()).get("tie").asBoolean());
            assertEquals(s.layer(), report.get("first").get("layer").asInt());
            assertEquals(s.token(), report.get("first").get("token").asInt());
        });
    }

    @Test
    void droppingTheBusiestExpertEverywhereDoesNotPassAndIsStoredOnce() {
        serveDemo(data, (server, client) -> {
            String a = create(client, PROMPT);
            JsonNode load = json(client.get("/api/traces/" + a)).get("load").get(0);
            int busiest = IntStream.range(0, load.size()).boxed()
                    .max((x, y) -> Integer.compare(load.get(x).asInt(), load.get(y).asInt())).orElseThrow();
            String body = "{\"drop\": [{\"layer\": \"*\", \"expert\": " + busiest + "}]}";
            JsonNode w = whatIf(client, a, body, "");
            JsonNode report = w.get("diff").get("report");
            assertFalse(report.get("passed").asBoolean());
            assertTrue(report.get("wrongDecisions").size() > 0);
            assertTrue(w.get("diff").get("replayed").asBoolean());
            double kl = 0;
            for (JsonNode x : w.get("diff").get("perTokenKl")) {
                kl = Math.max(kl, x.asDouble());
            }
            assertTrue(kl > 0, "dropping an expert changes some next-token distribution");
            assertFalse(w.get("reused").asBoolean());
            Response again = post(client, "/api/traces/" + a + "/whatif", body);
            assertEquals(200, again.code());
            assertEquals(w.get("id").asText(), json(again).get("id").asText());
        });
    }

    /** Every (layer, token) of B has a third expert, so every set is changed, and the next token moves. */
    @Test
    void aWhatIfOfAnotherKHasADiffWithEveryChangedSetInWhatIfAndCompare() {
        serveDemo(data, (server, client) -> {
            String a = create(client, PROMPT);
            JsonNode top3 = whatIf(client, a, "{\"topK\": 3}", "");
            assertTrue(top3.get("noDiff").isNull(), top3.get("noDiff").asText());
            String b = top3.get("id").asText();
            JsonNode fromCompare = json(client.get("/api/compare?a=" + a + "&b=" + b));
            for (JsonNode diff : List.of(top3.get("diff"), fromCompare)) {
                JsonNode report = diff.get("report");
                int tokens = diff.get("positions").asInt();
                int layers = report.get("routing").size();
                assertEquals(6, layers);
                for (JsonNode l : report.get("routing")) {
                    assertEquals(2, l.get("kExpected").asInt());
                    assertEquals(3, l.get("kActual").asInt());
                    assertEquals(0, l.get("sameExperts").asInt());
                }
                assertEquals(layers * tokens, report.get("flips").size());
                assertFalse(report.get("passed").asBoolean());
                double kl = 0;
                for (JsonNode x : diff.get("perTokenKl")) {
                    kl = Math.max(kl, x.asDouble());
                }
                assertTrue(kl > 0, "a third expert changes some next-token distribution");
            }
        });
    }

    @Test
    void anotherKAndBf16RoutingRunAndSayWhatTheyAre() {
        serveDemo(data, (server, client) -> {
            String a = create(client, PROMPT);
            JsonNode top1 = whatIf(client, a, "{\"topK\": 1}", "");
            assertEquals(1, top1.get("intervention").get("top_k").asInt());
            assertTrue(top1.get("noDiff").isNull(), top1.toString());
            assertEquals(1, top1.get("diff").get("report").get("routing").get(0).get("kActual").asInt());
            JsonNode cell = json(client.get("/api/traces/" + top1.get("id").asText())).get("routing").get(0).get(0);
            assertEquals(1, cell.get("experts").size());
            JsonNode bf16 = whatIf(client, a, "{\"routerPrecision\": \"bf16\"}", "");
            assertEquals("bf16", bf16.get("intervention").get("router_precision").asText());
            assertNotNull(bf16.get("diff").get("report").get("passed"));
        });
    }

    @Test
    void twoPromptsAreComparedByPositionAndSaySo() {
        serveDemo(data, (server, client) -> {
            String a = create(client, "{\"tokens\": [1, 50, 60, 70, 80, 90]}");
            String b = create(client, "{\"tokens\": [1, 51, 61, 71]}");
            JsonNode v = json(client.get("/api/compare?a=" + a + "&b=" + b + "&tieMargin=0.2"));
            assertTrue(v.get("alignedByPosition").asBoolean());
            assertFalse(v.get("replayed").asBoolean());
            assertEquals(4, v.get("positions").asInt());
            assertEquals(4, v.get("report").get("routing").get(0).get("tokens").asInt());
            assertEquals(4, v.get("perTokenKl").size());
        });
    }

    /** Each bad request and the phrase its one-line error must contain. */
    @Test
    void badRequestsAreRefusedWithOneLine() {
        String[][] cases = {
            {"{}", "nothing to change"},
            {"{\"topK\": 0}", "topK must be between 1 and 8"},
            {"{\"topK\": 9}", "topK must be between 1 and 8"},
            {"{\"topK\": 1.5}", "topK"},
            {"{\"topK\": \"2\"}", "topK"},
            {"{\"topk\": 2}", "unknown field"},
            {"{\"drop\": [{\"layer\": 6, \"expert\": 0}]}", "drop[0].layer must be 0..5"},
            {"{\"drop\": [{\"layer\": \"all\", \"expert\": 0}]}", "or \\\"*\\\""},
            {"{\"drop\": [{\"layer\": 0}]}", "drop[0] needs"},
            {"{\"drop\": [{\"layer\": 0, \"expert\": 8}]}", "expert 0..7"},
            {"{\"drop\": [" + String.join(",", IntStream.range(0, 7).mapToObj(
                    e -> "{\"layer\": 0, \"expert\": " + e + "}").toList()) + "]}", "fewer than"},
            {"{\"force\": [{\"layer\": 0, \"token\": 99, \"experts\": [0, 1]}]}", "beyond the trace's"},
            {"{\"force\": [{\"layer\": 0, \"token\": 0, \"experts\": [0]}]}", "2 distinct experts"},
            {"{\"force\": [{\"layer\": 0, \"token\": 0, \"experts\": [1, 1]}]}", "2 distinct experts"},
            {"{\"force\": [{\"layer\": 0, \"token\": 0, \"experts\": [1, 9]}]}", "force[0].experts[1]"},
            {"{\"force\": [{\"layer\": 7, \"token\": 0, \"experts\": [0, 1]}]}", "force[0].layer"},
            {"{\"routerPrecision\": \"fp8\"}", "one of f32, bf16, f16"},
            {"[1]", ""},
            {"{\"topK\": 2} {}", ""},
        };
        serveDemo(data, (server, client) -> {
            String a = create(client, "{\"tokens\": [1, 50, 60]}");
            for (String[] c : cases) {
                String error = assertError(400, post(client, "/api/traces/" + a + "/whatif", c[0]));
                assertTrue(error.contains(c[1].replace("\\\"", "\"")), c[0] + " -> " + error);
            }
            assertError(404, post(client, "/api/traces/0123456789abcdef/whatif", "{\"topK\": 1}"));
            assertError(415, client.request("/api/traces/" + a + "/whatif", b -> b.post(
                    HttpRequest.BodyPublishers.ofString("{\"topK\": 1}")).header("Content-Type", "text/plain")));
            assertError(400, post(client, "/api/traces/" + a + "/whatif?tieMargin=x", "{\"topK\": 1}"));
            assertTrue(assertError(400, client.get("/api/compare?a=" + a)).contains("'b'"));
            assertError(404, client.get("/api/compare?a=" + a + "&b=0123456789abcdef"));
            assertTrue(assertError(400, client.get("/api/compare?a=" + a + "&b=" + a + "&tieMargin=-1"))
                    .contains("tolerances"));
        });
    }

    private static List<Integer> sortedInts(JsonNode a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(x -> out.add(x.asInt()));
        out.sort(null);
        return out;
    }
}
