package mixtral.inspector.api;

import static mixtral.inspector.api.ApiFixture.JSON;
import static mixtral.inspector.api.ApiFixture.serve;
import static mixtral.inspector.api.Uploads.assertError;
import static mixtral.inspector.api.Uploads.bytesOf;
import static mixtral.inspector.api.Uploads.post;
import static mixtral.inspector.api.Uploads.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import mixtral.config.MixtralConfig;
import mixtral.inspector.Fixtures;
import mixtral.inspector.engine.Limits;
import mixtral.inspector.engine.ModelRunner;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code POST /api/traces/import}: a trace made elsewhere, held to the served model, and every way to miss it. */
class InspectorImportApiTest {
    static final long[] TOKENS = {1, 50, 60, 70, 80};

    @TempDir
    Path data;

    /** What {@code ./mixtral trace} writes for the demo model: every tensor, the format and config in the metadata. */
    static Trace madeElsewhere(long[] tokens) {
        MixtralConfig c = Fixtures.demo().config();
        TraceRecorder rec = TraceRecorder.all(false);
        Fixtures.demo().model().forward(tokens, rec);
        return rec.toTrace(c);
    }

    static Trace with(Trace t, String name, INDArray value) {
        Map<String, INDArray> m = new LinkedHashMap<>(t.tensors());
        m.put(name, value);
        return new Trace(m, t.metadata());
    }

    static Trace only(Trace t, UnaryOperator<String> keep) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        t.tensors().forEach((n, a) -> {
            if (keep.apply(n) != null) {
                m.put(n, a);
            }
        });
        return new Trace(m, t.metadata());
    }

    @Test
    void aTraceOfTheServedModelIsStoredUnderItsOwnIdAndShown() {
        Trace trace = madeElsewhere(TOKENS);
        serve(Fixtures.inspector(data), (server, client) -> {
            String plain = ApiFixture.create(client, "{\"tokens\": [1, 50, 60, 70, 80]}");
            HttpResponse<String> r = upload(client.getOrigin(), bytesOf(trace, data));
            assertEquals(201, r.statusCode(), r.body());
            String id = JSON.readTree(r.body()).get("id").asText();
            assertNotEquals(plain, id, "an imported trace never takes the id of the model's own trace");
            assertEquals("/api/traces/" + id, r.headers().firstValue("Location").orElseThrow());
            JsonNode summary = ApiFixture.json(client.get("/api/traces/" + id));
            assertEquals(TOKENS.length, summary.get("tokens").size());
            JsonNode again = JSON.readTree(upload(client.getOrigin(), bytesOf(trace, data)).body());
            assertEquals(id, again.get("id").asText(), "the same file gives the same id");
            assertEquals(200, client.get("/api/traces/" + plain).code(), "the model's own trace is untouched");
        });
    }

    @Test
    void aRoutingOnlyTraceIsStoredAndItsOverviewSaysWhatItLacks() throws Exception {
        Trace routing = only(madeElsewhere(TOKENS), n -> n.contains("selected_experts") || n.equals("tokens") ? n : null);
        serve(Fixtures.inspector(data), (server, client) -> {
            HttpResponse<String> r = upload(client.getOrigin(), bytesOf(routing, data));
            assertEquals(201, r.statusCode(), r.body());
            String id = JSON.readTree(r.body()).get("id").asText();
            String error = ApiFixture.assertError(422, client.get("/api/traces/" + id));
            assertTrue(error.contains("cannot be shown") && error.contains("compare"), error);
            ApiFixture.assertError(422, client.get("/api/traces/" + id + "/tokens/0"));
        });
    }

    /** One mutation per rule: each must be refused with its status and a phrase naming what is wrong. */
    @Test
    void everyBrokenTraceIsRefusedWithOneLineNamingWhatIsWrong() throws Exception {
        Trace good = madeElsewhere(TOKENS);
        MixtralConfig c = Fixtures.demo().config();
        int t = TOKENS.length;
        ObjectNode otherConfig = (ObjectNode) JSON.readTree(good.metadata().get("config"));
        otherConfig.put("rope_theta", 10.0);
        Map<String, Trace> cases = new LinkedHashMap<>();
        cases.put("not part of the trace format", with(good, "layers.0.moe.gate_logits", Nd4j.zeros(t, 8)));
        cases.put("has shape", with(good, TensorNames.LOGITS, Nd4j.zeros(DataType.FLOAT, t, c.vocabSize() - 1)));
        cases.put("is F32; the trace format stores it as I64",
                with(good, TensorNames.TOKENS, Nd4j.createFromArray(1f, 50f, 60f, 70f, 80f)));
        cases.put("outside the vocabulary",
                with(good, TensorNames.TOKENS, Nd4j.createFromArray(1L, 50L, (long) c.vocabSize(), 70L, 80L)));
        cases.put("rope_theta", good.withMetadata("config", otherConfig.toString()));
        cases.put("layers 0..5", with(good, "layers.6.moe.selected_experts", Nd4j.zeros(DataType.LONG, t, 2)));
        cases.put("expected distinct experts",
                with(good, TensorNames.selectedExperts(2), Nd4j.zeros(DataType.LONG, t, 2)));
        cases.put("no 'tokens' tensor", only(good, n -> n.equals("tokens") ? null : n));
        serve(Fixtures.inspector(data), (server, client) -> {
            for (var e : cases.entrySet()) {
                String error = assertError(400, upload(client.getOrigin(), bytesOf(e.getValue(), data)));
                assertTrue(error.contains(e.getKey()), e.getKey() + " -> " + error);
            }
            assertTrue(assertError(400, upload(client.getOrigin(), "not a safetensors file".getBytes()))
                    .contains("not a safetensors file"));
            assertTrue(assertError(400, upload(client.getOrigin(), new byte[0])).contains("empty"));
            // Refused before the body is read: a small one, so that the client is still sending when the answer comes.
            byte[] body = "x".getBytes();
            assertTrue(assertError(415, post(client.getOrigin(), "/api/traces/import", body, "application/json"))
                    .contains("application/octet-stream"));
            assertError(415, post(client.getOrigin(), "/api/traces/import", body, null));
            assertEquals(0, ApiFixture.json(client.get("/api/model")).get("limits").get("maxImportBytes").asLong()
                    - Limits.DEFAULT_IMPORT_BYTES);
        });
    }

    @Test
    void aFileOverTheImportCapIs413AndSoIsOneOverTheTokenCap() throws Exception {
        byte[] body = bytesOf(madeElsewhere(TOKENS), data);
        Limits small = Limits.defaults().withMaxImportBytes(body.length - 1);
        serve(Fixtures.inspector(data, small, new ModelRunner(1)), (server, client) -> {
            assertTrue(assertError(413, upload(client.getOrigin(), body)).contains("at most " + (body.length - 1)));
        });
        Limits fewTokens = new Limits(TOKENS.length - 1, 1, 64 * 1024, 1, 4);
        serve(Fixtures.inspector(data, fewTokens, new ModelRunner(1)), (server, client) -> {
            assertTrue(assertError(413, upload(client.getOrigin(), body)).contains("at most " + (TOKENS.length - 1)));
        });
    }
}
