package mixtral.inspector.api;

import mixtral.evidence.EvidenceReport;
import mixtral.evidence.EvidenceJson;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import static mixtral.inspector.api.ApiFixture.JSON;
import static mixtral.inspector.api.ApiFixture.assertError;
import static mixtral.inspector.api.ApiFixture.json;
import static mixtral.inspector.api.ApiFixture.serve;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.Response;
import java.nio.file.Path;
import mixtral.inspector.Fixtures;
import mixtral.inspector.about.Evidence;
import mixtral.inspector.engine.Inspector;
import mixtral.inspector.engine.Limits;
import mixtral.inspector.engine.ModelRunner;
import mixtral.testing.Prerequisites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /api/evidence: what the routing learned, served only for the weights it was computed on. Over HTTP, on the demo
 * model.
 */
class InspectorEvidenceApiTest {
    @TempDir
    Path data;

    @Test
    void theDemoModelsEvidenceIsServedAsShippedAndFitsItsWeights() throws IOException {
        Prerequisites.require(getClass().getResource(EvidenceJson.DEMO) != null, "no " + EvidenceJson.DEMO
                + " on the classpath: ./mixtral evidence writes it (the lead commits it with the final weights)");
        Inspector inspector = Fixtures.inspector(data);
        assertEquals(null, inspector.model().evidence().absence(), "the shipped evidence must fit the demo model");
        String shipped;
        try (var in = getClass().getResourceAsStream(EvidenceJson.DEMO)) {
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        serve(inspector, (server, client) -> {
            assertTrue(json(client.get("/api/model")).get("evidence").asBoolean());
            var r = client.get("/api/evidence");
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
        serve(inspector, (server, client) -> {
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
        serve(inspector, (server, client) ->
                assertTrue(assertError(404, client.get("/api/evidence")).contains("other weights")));
    }
}
