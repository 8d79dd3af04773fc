package mixtral.inspector.api;

import static mixtral.inspector.api.ApiFixture.assertError;
import static mixtral.inspector.api.ApiFixture.create;
import static mixtral.inspector.api.ApiFixture.json;
import static mixtral.inspector.api.ApiFixture.serveDemo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mixtral.inspector.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PUT /api/traces/{id}/label and GET /api/figure7: the paper's Figure 7 over labelled traces, over HTTP. */
class InspectorFigure7ApiTest {
    @TempDir
    Path data;

    static Response label(HttpClient client, String id, String label) {
        return client.request("/api/traces/" + id + "/label", b -> b.put(HttpRequest.BodyPublishers.ofString(
                "{\"label\": " + ApiFixture.JSON.valueToTree(label) + "}")).header("Content-Type", "application/json"));
    }

    /** Expected shares of one label, counted here from the summaries' routing: [L][E] assignments over T·K. */
    static double[][] countedShares(HttpClient client, List<String> ids) throws Exception {
        double[][] counts = null;
        long assignments = 0;
        for (String id : ids) {
            JsonNode s = json(client.get("/api/traces/" + id));
            if (counts == null) {
                counts = new double[s.get("layers").asInt()][s.get("experts").asInt()];
            }
            for (int l = 0; l < counts.length; l++) {
                for (JsonNode cell : s.get("routing").get(l)) {
                    for (JsonNode e : cell.get("experts")) {
                        counts[l][e.asInt()]++;
                        assignments += l == 0 ? 1 : 0;
                    }
                }
            }
        }
        for (double[] row : counts) {
            for (int e = 0; e < row.length; e++) {
                row[e] /= assignments;
            }
        }
        return counts;
    }

    @Test
    void sharesAreEachLabelsTopKAssignmentsPerExpertOverItsTracesAndSumToOnePerLayer() {
        serveDemo(data, (server, client) -> {
            String fr1 = create(client, "{\"prompt\": \"Le routeur choisit deux experts.\"}");
            String fr2 = create(client, "{\"prompt\": \"Nous avons pris le train pour Lyon.\"}");
            String code = create(client, "{\"prompt\": \"def f(x):\\n    return x * 2\\n\"}");
            assertEquals(200, label(client, fr1, "fr").code());
            assertEquals(200, label(client, code, "code").code());
            JsonNode answer = json(label(client, fr2, "fr"));
            assertEquals(Map.of("id", fr2, "label", "fr"), ApiFixture.JSON.convertValue(answer, Map.class));

            JsonNode f = json(client.get("/api/figure7?labels=code,fr"));
            assertEquals(0.125, f.get("uniform").asDouble(), 0, "1/E: an even split of eight experts");
            assertEquals(2, f.get("k").asInt());
            assertEquals(List.of("code", "fr"), f.get("labels").findValuesAsText("label"), "in the order asked");
            JsonNode fr = f.get("labels").get(1);
            assertEquals(List.of(fr1, fr2), ApiFixture.JSON.convertValue(fr.get("traces"), List.class));
            long tokens = json(client.get("/api/traces/" + fr1)).get("tokens").size()
                    + json(client.get("/api/traces/" + fr2)).get("tokens").size();
            assertEquals(tokens, fr.get("tokens").asLong(), "every token of both traces, BOS included");
            for (JsonNode column : f.get("labels")) {
                List<String> ids = ApiFixture.JSON.convertValue(column.get("traces"), List.class);
                double[][] expected = countedShares(client, ids);
                for (int l = 0; l < expected.length; l++) {
                    double sum = 0;
                    for (int e = 0; e < expected[l].length; e++) {
                        double served = column.at("/shares/" + l + "/" + e).asDouble();
                        assertEquals(expected[l][e], served, 1e-12, column.get("label") + " layer " + l + " expert " + e);
                        sum += served;
                    }
                    assertEquals(1.0, sum, 1e-9, "a layer's shares sum to 1 (over T·K assignments, not T tokens)");
                }
            }
            double[][] frShares = countedShares(client, List.of(fr1, fr2));
            double[][] codeShares = countedShares(client, List.of(code));
            double apart = 0;
            for (int l = 0; l < frShares.length; l++) {
                for (int e = 0; e < frShares[l].length; e++) {
                    apart = Math.max(apart, Math.abs(frShares[l][e] - codeShares[l][e]));
                }
            }
            assertTrue(apart > 0.05, "the labels' columns differ, so a mixed-up column would be noticed: " + apart);
        });
    }

    @Test
    void labelsStayAcrossARestartAndARelabelOrDeleteMovesTheTrace() {
        String[] ids = new String[2];
        serveDemo(data, (server, client) -> {
            ids[0] = create(client, "{\"tokens\": [1, 50, 60]}");
            ids[1] = create(client, "{\"tokens\": [1, 70, 80]}");
            assertEquals("Deutsch-ä", json(label(client, ids[0], "Deutsch-a\u0308")).get("label").asText(),
                    "stored in NFC: a and a combining diaeresis is ä");
            assertEquals(200, label(client, ids[1], "médecine").code());
        });
        serveDemo(data, (server, client) -> {
            JsonNode all = json(client.get("/api/figure7"));
            assertEquals(List.of("Deutsch-ä", "médecine"), all.get("labels").findValuesAsText("label"));
            assertEquals(200, label(client, ids[1], "Deutsch-ä").code());
            JsonNode one = json(client.get("/api/figure7"));
            assertEquals(1, one.get("labels").size());
            assertEquals(2, one.at("/labels/0/traces").size());
            assertEquals(204, client.delete("/api/traces/" + ids[1] + "/label").code());
            assertEquals(1, json(client.get("/api/figure7")).at("/labels/0/traces").size());
            assertTrue(assertError(404, client.delete("/api/traces/" + ids[1] + "/label")).contains("has no label"));
        });
    }

    @Test
    void aLabelNoTraceHasIsA404NamingTheLabelsThereAre() {
        serveDemo(data, (server, client) -> {
            assertTrue(assertError(404, client.get("/api/figure7?labels=fr")).contains("none yet"));
            String id = create(client, "{\"tokens\": [1, 50, 60]}");
            label(client, id, "fr");
            String error = assertError(404, client.get("/api/figure7?labels=fr,de"));
            assertTrue(error.contains("'de'") && error.contains("labels: fr"), error);
            assertEquals(0, json(client.get("/api/figure7")).get("skipped").size());
        });
    }

    /** A data directory shared by two models: the other model's traces are neither labelled nor counted. */
    @Test
    void aTraceOfAnotherModelCannotBeLabelledAndIsSkippedIfTheLabelsFileNamesIt() throws Exception {
        String foreign = Fixtures.traceOfAnotherModel(data, new long[] {1, 50, 60});
        serveDemo(data, (server, client) -> {
            assertTrue(assertError(404, label(client, foreign, "fr")).contains("Other model"));
            String ours = create(client, "{\"tokens\": [1, 70, 80]}");
            label(client, ours, "fr");
        });
        String file = Files.readString(data.resolve("labels.json"));
        Files.writeString(data.resolve("labels.json"), file.replace("{", "{\"" + foreign + "\": \"fr\", "));
        serveDemo(data, (server, client) -> {
            JsonNode f = json(client.get("/api/figure7?labels=fr"));
            assertEquals(1, f.at("/labels/0/traces").size(), "the other model's trace is not counted");
            assertEquals(3, f.at("/labels/0/tokens").asInt());
            assertEquals(foreign, f.at("/skipped/0/id").asText());
            assertTrue(f.at("/skipped/0/reason").asText().contains("another model"), f.toString());
        });
    }
}
