package mixtral.inspector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import mixtral.inspector.Fixtures;
import mixtral.inspector.InspectorApp;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the inspector's own page and a local client may do, beside the refusals in
 * {@link InspectorMalformedRequestApiTest}: every answer carries the security headers, the page's files are served
 * with their true types (which {@code nosniff} holds the browser to), and the names of this server are accepted.
 */
class InspectorSecurityApiTest {
    @TempDir
    Path data;

    private static HttpTester.Response get(Javalin app, String path, String... headers) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1:" + app.port());
        for (String header : headers) {
            String[] nv = header.split(":", 2);
            h.put(nv[0].trim(), nv[1].trim().replace("{port}", Integer.toString(app.port())));
        }
        return RawHttp.send(app.port(), "GET", path, h, null);
    }

    private void serve(String host, java.util.function.Consumer<Javalin> test) {
        Javalin app = InspectorApp.create(Fixtures.inspector(data), host).start("127.0.0.1", 0);
        try {
            test.accept(app);
        } finally {
            app.stop();
        }
    }

    @Test
    void everyAnswerCarriesTheSecurityHeadersAndItsTrueContentType() {
        Map<String, String> types = Map.of(
                "/", "text/html",
                "/js/main.js", "text/javascript",
                "/css/inspector.css", "text/css",
                "/webjars/d3/7.9.0/dist/d3.min.js", "text/javascript",
                "/api/model", "application/json",
                "/api/traces/0123456789abcdef", "application/json");
        serve("127.0.0.1", app -> types.forEach((path, type) -> {
            HttpTester.Response r = get(app, path);
            assertTrue(String.valueOf(r.get("Content-Type")).startsWith(type), path + ": " + r.get("Content-Type"));
            SecurityHeaders.ALL.forEach((name, value) -> assertEquals(value, r.get(name), path + " " + name));
        }));
    }

    @Test
    void thePolicyAllowsOnlyThisServersFilesAndNoFraming() {
        String csp = SecurityHeaders.CONTENT_SECURITY_POLICY;
        assertTrue(csp.contains("default-src 'none'") && csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors 'none'"), csp);
        assertFalse(csp.contains("unsafe") || csp.contains("http:") || csp.contains("*"), csp);
        assertEquals("DENY", SecurityHeaders.ALL.get("X-Frame-Options"));
        assertEquals("nosniff", SecurityHeaders.ALL.get("X-Content-Type-Options"));
    }

    @Test
    void theLoopbackNamesOfThisServerAreAccepted() {
        serve("127.0.0.1", app -> {
            for (String host : new String[] {"127.0.0.1", "localhost", "[::1]"}) {
                assertEquals(200, get(app, "/api/model", "Host: " + host + ":{port}").getStatus(), host);
            }
        });
    }

    @Test
    void theConfiguredHostNameIsAcceptedOnlyWhenConfigured() {
        serve("inspector.test", app ->
                assertEquals(200, get(app, "/api/model", "Host: inspector.test:{port}").getStatus()));
        serve("127.0.0.1", app ->
                assertEquals(403, get(app, "/api/model", "Host: inspector.test:{port}").getStatus()));
    }

    @Test
    void thePagesOwnRequestsAndALinkFromAnotherSitePassTheGuard() {
        serve("127.0.0.1", app -> {
            assertEquals(200, get(app, "/api/model", "Sec-Fetch-Site: same-origin").getStatus());
            assertEquals(200, get(app, "/?trace=0123456789abcdef", "Sec-Fetch-Site: cross-site",
                    "Sec-Fetch-Mode: navigate").getStatus(), "a shared link opens the page");
            Map<String, String> post = new LinkedHashMap<>();
            post.put("Host", "127.0.0.1:" + app.port());
            post.put("Origin", "http://127.0.0.1:" + app.port());
            post.put("Sec-Fetch-Site", "same-origin");
            post.put("Content-Type", "application/json");
            HttpTester.Response r = RawHttp.send(app.port(), "POST", "/api/traces", post, "{}");
            assertEquals(400, r.getStatus(), "past the guard to the body's check: " + r.getContent());
        });
    }
}
