package mixtral.inspector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import mixtral.inspector.Fixtures;
import mixtral.inspector.InspectorApp;
import mixtral.inspector.engine.Limits;
import mixtral.inspector.engine.ModelRunner;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a hostile or careless client may send, one row each: the method, the request target as written on the wire,
 * the headers, the body, and the status and a phrase of the one-line JSON error that must come back. Every answer
 * must be {@code {status, error}} with the security headers, whether Javalin or Jetty wrote it. No row runs the
 * model. The server listens on 127.0.0.1 and caps bodies at {@value #MAX_BODY} bytes.
 */
class InspectorMalformedRequestApiTest {
    static final int MAX_BODY = 4096;
    static final String JSON = "Content-Type: application/json";
    static final String UNKNOWN = "/api/traces/0123456789abcdef";

    @TempDir
    static Path data;
    static Javalin app;

    /**
     * One request and the error it must get. Headers are {@code "Name: value"}; {@code {port}} is the server's port
     * and {@code {other}} another one; a request gets {@code Host: 127.0.0.1:{port}} unless it names a Host (an empty
     * one sends none).
     */
    record Row(String method, String target, List<String> headers, String body, int status, String phrase) {
        @Override
        public String toString() {
            String b = body == null ? "" : " " + (body.length() > 40 ? body.substring(0, 40) + "…" : body);
            String t = target.length() > 60 ? target.substring(0, 60) + "…" : target;
            return method + " " + t + " " + headers + b + " -> " + status + " '" + phrase + "'";
        }
    }

    static Row post(String contentType, String body, int status, String phrase) {
        return new Row("POST", "/api/traces", contentType == null ? List.of() : List.of(contentType), body, status,
                phrase);
    }

    static Row json(String body, int status, String phrase) {
        return post(JSON, body, status, phrase);
    }

    static Row label(String body, int status, String phrase) {
        return new Row("PUT", UNKNOWN + "/label", List.of(JSON), body, status, phrase);
    }

    static Row request(String method, String target, int status, String phrase, String... headers) {
        return new Row(method, target, List.of(headers), null, status, phrase);
    }

    static Stream<Row> rows() {
        return Stream.of(
                // Content-Type: only JSON, in UTF-8
                post("Content-Type: text/plain", "{\"prompt\": \"a\"}", 415, "must be application/json"),
                post(null, "{\"prompt\": \"a\"}", 415, "no Content-Type"),
                post("Content-Type: application/x-www-form-urlencoded", "prompt=a", 415, "must be application/json"),
                post("Content-Type: multipart/form-data; boundary=x", "--x--", 415, "must be application/json"),
                post("Content-Type: application/jsonp", "{\"prompt\": \"a\"}", 415, "must be application/json"),
                post("Content-Type: application/json; charset=iso-8859-1", "{\"prompt\": \"a\"}", 415, "UTF-8"),
                post("Content-Type: Application/JSON; charset=\"UTF-8\"", "{\"prompt\": 5}", 400,
                        "prompt must be a string, not 5"),
                // wrong types are refused, never coerced
                json("{\"tokens\": [1, 1.5]}", 400, "tokens[1] must be an integer, not 1.5"),
                json("{\"tokens\": [1, \"5\"]}", 400, "tokens[1] must be an integer, not the string \"5\""),
                json("{\"tokens\": [1, true]}", 400, "tokens[1] must be an integer, not true"),
                json("{\"tokens\": [1, [2]]}", 400, "tokens[1] must be an integer, not a list"),
                json("{\"tokens\": [1, 2], \"generate\": 1.5}", 400, "generate must be an integer, not 1.5"),
                json("{\"tokens\": [1, 2], \"generate\": 2.0}", 400, "generate must be an integer, not 2.0"),
                json("{\"tokens\": [1, 2], \"generate\": \"3\"}", 400, "generate must be an integer"),
                json("{\"tokens\": [1, 2], \"generate\": true}", 400, "generate must be an integer, not true"),
                json("{\"prompt\": 5}", 400, "prompt must be a string, not 5"),
                json("{\"prompt\": true}", 400, "prompt must be a string, not true"),
                json("{\"prompt\": [\"a\"]}", 400, "prompt must be a string, not a list"),
                json("{\"prompt\": {\"text\": \"a\"}}", 400, "prompt must be a string, not an object"),
                json("{\"tokens\": \"1 2\"}", 400, "tokens must be a list"),
                json("{\"tokens\": 5}", 400, "tokens must be a list, not 5"),
                json("{\"tokens\": {}}", 400, "tokens must be a list, not an object"),
                json("{\"tokens\": [1, null]}", 400, "not null"),
                json("{\"tokens\": [1, 99999999999999999999]}", 400, "tokens[1] is out of range"),
                json("{\"tokens\": [1, 2], \"generate\": 10000000000}", 400, "generate is out of range"),
                // not one JSON object
                json("null", 400, "the body is null"),
                json("", 400, "the body is empty"),
                json("[1, 2]", 400, "the body must be a JSON object, not a list"),
                json("\"a prompt\"", 400, "the body must be a JSON object"),
                json("{\"prompt\": \"a\"} {\"prompt\": \"b\"}", 400, "goes on after its JSON value"),
                json("{\"prompt\": \"a\", \"prompt\": \"b\"}", 400, "Duplicate field 'prompt'"),
                json("{\"prompt\": \"a\",}", 400, "malformed JSON"),
                json("{\"prompt\": ", 400, "malformed JSON"),
                json("{'prompt': 'a'}", 400, "malformed JSON"),
                json("{\"tokens\": [1, NaN]}", 400, "malformed JSON"),
                json("{\"promt\": \"a\"}", 400, "unknown field \"promt\""),
                // well-formed, but not a request the inspector can run
                json("{}", 400, "exactly one of"),
                json("{\"prompt\": \"a\", \"tokens\": [1]}", 400, "exactly one of"),
                json("{\"prompt\": \"  \"}", 400, "the prompt is empty"),
                json("{\"prompt\": \"a\", \"generate\": -1}", 400, "generate must be between 0 and"),
                json("{\"prompt\": \"a\", \"generate\": 65}", 400, "generate must be between 0 and"),
                json("{\"prompt\": \"" + "a".repeat(MAX_BODY) + "\"}", 413, "at most " + MAX_BODY + " bytes"),
                // Host, Origin and Sec-Fetch-Site: pages of other sites may not use the inspector
                request("GET", "/api/model", 403, "Host 'evil.example", "Host: evil.example:{port}"),
                request("GET", "/", 403, "is not this server", "Host: rebound.evil.example:{port}"),
                request("GET", "/js/main.js", 403, "is not this server", "Host: rebound.evil.example:{port}"),
                request("GET", "/webjars/d3/7.9.0/dist/d3.min.js", 403, "is not this server",
                        "Host: rebound.evil.example:{port}"),
                request("GET", "/api/progress/events", 403, "is not this server", "Host: evil.example:{port}",
                        "Accept: text/event-stream"),
                request("GET", "/api/model", 403, "is not this server", "Host: 127.0.0.1:{other}"),
                request("GET", "/api/model", 403, "is not this server", "Host: localhost"),
                request("GET", "/api/model", 400, "Host", "Host:"),
                new Row("POST", "/api/traces", List.of(JSON, "Origin: http://evil.example"), "{\"prompt\": \"a\"}",
                        403, "Origin 'http://evil.example' is not this server"),
                new Row("POST", "/api/traces", List.of(JSON, "Origin: null"), "{\"prompt\": \"a\"}", 403,
                        "Origin 'null'"),
                new Row("POST", "/api/traces", List.of(JSON, "Origin: http://127.0.0.1:{other}"),
                        "{\"prompt\": \"a\"}", 403, "is not this server"),
                new Row("POST", "/api/traces", List.of(JSON, "Origin: https://127.0.0.1:{port}"),
                        "{\"prompt\": \"a\"}", 403, "is not this server"),
                new Row("POST", "/api/traces", List.of(JSON, "Origin: http://localhost:{port}"),
                        "{\"prompt\": \"a\"}", 403, "is not this server"),
                request("OPTIONS", "/api/traces", 403, "Origin", "Origin: http://evil.example",
                        "Access-Control-Request-Method: POST"),
                request("GET", UNKNOWN + "/attention?layer=0&head=0", 403, "Sec-Fetch-Site: cross-site",
                        "Sec-Fetch-Site: cross-site"),
                request("GET", "/api/model", 403, "Sec-Fetch-Site: same-site", "Sec-Fetch-Site: same-site"),
                // labels (PUT /api/traces/{id}/label) and the paper's Figure 7 over them
                label("{\"label\": \"fr\"}", 404, "no trace with id '0123456789abcdef'"),
                label("{\"label\": \"\"}", 400, "label must be 1 to 32 characters, got 0"),
                label("{\"label\": \"" + "x".repeat(33) + "\"}", 400, "1 to 32 characters, got 33"),
                label("{\"label\": 5}", 400, "label must be a string, not 5"),
                label("{\"label\": [\"fr\"]}", 400, "label must be a string, not a list"),
                label("{\"label\": null}", 400, "label is required"),
                label("{}", 400, "label is required"),
                label("{\"lable\": \"fr\"}", 400, "unknown field \"lable\""),
                label("{\"label\": \"fr,de\"}", 400, "not U+002C"),
                label("{\"label\": \"<b>fr</b>\"}", 400, "not U+003C"),
                label("{\"label\": \"fr\\u0000\"}", 400, "not U+0000"),
                label("{\"label\": \"fr\\n\"}", 400, "not U+000A"),
                label("{\"label\": \"\ud83d\ude00\"}", 400, "not U+1F600"),
                label("{\"label\": \" fr\"}", 400, "must start with a letter or digit"),
                label("{\"label\": \"fr \"}", 400, "not end in a space"),
                new Row("PUT", UNKNOWN + "/label", List.of(), "{\"label\": \"fr\"}", 415, "no Content-Type"),
                request("POST", UNKNOWN + "/label", 405, "it takes PUT, DELETE", JSON),
                request("DELETE", UNKNOWN + "/label", 404, "no trace with id '0123456789abcdef'"),
                request("GET", "/api/figure7?labels=", 400, "labels is empty"),
                request("GET", "/api/figure7?labels=fr,fr", 400, "label 'fr' is asked for twice"),
                request("GET", "/api/figure7?labels=fr,,de", 400, "1 to 32 characters, got 0"),
                request("GET", "/api/figure7?labels=%3Cscript%3E", 400, "not U+003C"),
                request("GET", "/api/figure7?labels=%F0%9F%98%80", 400, "not U+1F600"),
                request("GET", "/api/figure7?labels=" + "a,".repeat(16) + "b", 400, "at most 16 labels at once, got 17"),
                request("GET", "/api/figure7?labels=fr", 404, "no trace of this model is labelled 'fr'"),
                request("POST", "/api/figure7", 405, "it takes GET", JSON),
                // routes, parameters, and what Jetty refuses before Javalin sees it
                request("GET", "/api/nothing-here", 404, "/api/nothing-here"),
                request("DELETE", "/api/traces", 405, "it takes POST"),
                request("PUT", "/api/model", 405, "it takes GET"),
                request("POST", "/api/model", 405, "it takes GET", JSON),
                request("GET", "/api/traces/not-an-id", 404, "no trace with id 'not-an-id'"),
                request("GET", UNKNOWN, 404, "no trace with id '0123456789abcdef'"),
                request("GET", UNKNOWN + "/trace.safetensors", 404, "0123456789abcdef"),
                request("GET", UNKNOWN + "/tokens/first", 400, "position must be an integer, got 'first'"),
                request("GET", UNKNOWN + "/attention?layer=x&head=0", 400, "layer must be an integer, got 'x'"),
                request("GET", UNKNOWN + "/attention?head=0", 400, "missing parameter 'layer'"),
                request("GET", "/api/traces/%u0041", 400, "malformed URL: '%u0'"),
                request("GET", UNKNOWN + "/attention?layer=%zz&head=0", 400, "malformed URL: '%zz'"),
                request("GET", "/api/traces/%zz", 400, "Bad Request"),
                request("GET", "/api/traces/%ff%fe", 400, "Bad UTF-8 encoding"),
                request("GET", "/api/..;/model", 400, "Ambiguous URI"),
                request("GET", "http://evil.example/api/model", 400, "Authority!=Host"),
                request("GET", "/api/traces/%2e%2e/%2e%2e/etc/passwd", 404, "not found"),
                request("GET", "/api/" + "x".repeat(20_000), 414, "URI Too Long"),
                request("GET", "/api/model", 431, "Header Fields Too Large", "X-Padding: " + "y".repeat(20_000)),
                request("G@T", "/api/model", 400, "Illegal character"));
    }

    @BeforeAll
    static void start() {
        Limits limits = new Limits(512, 64, MAX_BODY, 0, 4);
        app = InspectorApp.create(Fixtures.inspector(data, limits, new ModelRunner(0))).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.stop();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void answersWithTheStatusAndOneJsonLineSayingWhy(Row row) throws Exception {
        HttpTester.Response r = RawHttp.send(app.port(), row.method(), row.target(), headers(row), row.body());
        String body = r.getContent();
        assertEquals(row.status(), r.getStatus(), body);
        assertTrue(String.valueOf(r.get("Content-Type")).startsWith("application/json"), r.get("Content-Type"));
        JsonNode error = ApiFixture.JSON.readTree(body);
        assertEquals(2, error.size(), body);
        assertEquals(row.status(), error.get("status").asInt(), body);
        String line = error.get("error").asText();
        assertTrue(line.contains(row.phrase()), "'" + row.phrase() + "' not in: " + line);
        assertFalse(line.contains("\n") || line.contains("Exception") || line.contains("jetty"), line);
        SecurityHeaders.ALL.forEach((name, value) -> assertEquals(value, r.get(name), name));
    }

    private static Map<String, String> headers(Row row) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1:{port}");
        for (String header : row.headers()) {
            String[] nv = header.split(":", 2);
            h.put(nv[0].trim(), nv[1].isBlank() ? null : nv[1].trim());
        }
        h.replaceAll((name, value) -> value == null ? null : value.replace("{port}", Integer.toString(app.port()))
                .replace("{other}", Integer.toString(app.port() == 1 ? 2 : app.port() - 1)));
        return h;
    }
}
