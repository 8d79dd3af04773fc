package mixtral.inspector.api;

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
    void theDemoModelsEvidenceIsServedAsShippedAndFitsItsWeights() {
        Prerequisites.require(getClass().getResource(Evidence.RESOURCE) != null, "no " + Evidence.RESOURCE
                + " on the classpath: ./mixtral evidence writes it (the lead commits it with the final weights)");
        Inspector inspector = Fixtures.inspector(data);
        assertEquals(null, inspector.model().evidence().absence(), "the shipped evidence must fit the demo model");
        serve(inspector, (server, client) -> {
            assertTrue(json(client.get("/api/model")).get("evidence").asBoolean());
            Response r = client.get("/api/evidence");
            assertEquals(200, r.code(), r.body().string());
            JsonNode served = json(r);
            JsonNode shipped;
            try (var in = getClass().getResourceAsStream(Evidence.RESOURCE)) {
                shipped = JSON.readTree(in);
            }
            assertEquals(shipped, served, "served as shipped");
            assertEquals(mixtral.evidence.Sha256.of(mixtral.demo.DemoModel.folder().resolve("model.safetensors")),
                    served.at("/model/safetensors_sha256").asText().replaceFirst("^sha256:", ""));
            assertEquals(6, served.at("/trained/first_choice").size());
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
        JsonNode fixture;
        try (var in = getClass().getResourceAsStream("/evidence/fixture.json")) {
            fixture = JSON.readTree(in);
        }
        Evidence other = Evidence.check(fixture, Fixtures.demo().config(), "ab".repeat(32));
        Inspector inspector = Fixtures.inspector(Fixtures.demoWith(other), data, Limits.defaults(), new ModelRunner(1));
        serve(inspector, (server, client) ->
                assertTrue(assertError(404, client.get("/api/evidence")).contains("other weights")));
    }
}
