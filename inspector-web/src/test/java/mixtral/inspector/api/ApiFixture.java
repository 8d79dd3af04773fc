package mixtral.inspector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import io.javalin.testtools.TestCase;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import mixtral.inspector.Fixtures;
import mixtral.inspector.InspectorApp;
import mixtral.inspector.engine.Inspector;

/** What the HTTP tests share: a started inspector, requests with JSON bodies, and the shape of an error answer. */
final class ApiFixture {
    static final ObjectMapper JSON = new ObjectMapper();

    private ApiFixture() {}

    /** Runs {@code test} against the inspector's app started on a free port, and stops it after. */
    static void serve(Inspector inspector, TestCase test) {
        JavalinTest.test(InspectorApp.create(inspector), test);
    }

    /** {@link #serve} on the demo model with the default limits, its traces kept in {@code data}. */
    static void serveDemo(Path data, TestCase test) {
        serve(Fixtures.inspector(data), test);
    }

    static Response post(HttpClient client, String path, String body) {
        return client.request(path, b -> b.post(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"));
    }

    static JsonNode json(Response r) throws Exception {
        return JSON.readTree(r.body().string());
    }

    /** A JSON array of numbers as the floats the server wrote (a float printed by Jackson parses back exactly). */
    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
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

    /** Posts a trace request and returns the new (or reused) trace's id. */
    static String create(HttpClient client, String body) throws Exception {
        Response r = post(client, "/api/traces", body);
        assertTrue(r.code() == 201 || r.code() == 200, r.body().string());
        return json(r).get("id").asText();
    }
}
