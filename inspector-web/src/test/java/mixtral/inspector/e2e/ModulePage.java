package mixtral.inspector.e2e;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mixtral.inspector.api.SecurityHeaders;
import mixtral.inspector.bench.Chromium;

/**
 * The page's ES modules in headless Chromium, without the model or the inspector's API: a blank page that loads D3
 * as index.html does, from which a test imports {@code /js/...} and calls its functions. What the call returns comes
 * back as JSON, for the test to check in Java; a module that fails to load or throws fails the test. The blank page
 * has the inspector's {@link SecurityHeaders}, and a call that breaks its Content-Security-Policy fails too.
 */
final class ModulePage implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern D3_SCRIPT = Pattern.compile("<script src=\"[^\"]*d3[^\"]*\"></script>");

    private final Javalin server;
    private final Chromium.Session browser;
    private final Page page;
    private final List<String> refused = new CopyOnWriteArrayList<>();

    private ModulePage(Javalin server, Chromium.Session browser, Page page) {
        this.server = server;
        this.browser = browser;
        this.page = page;
        page.onConsoleMessage(m -> {
            if (m.text().contains("Content Security Policy")) {
                refused.add(m.text());
            }
        });
    }

    static ModulePage open() {
        String blank = "<!doctype html><meta charset=\"utf-8\"><title>modules</title>" + d3ScriptOfIndexHtml();
        Javalin server = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.staticFiles.enableWebjars();
            c.staticFiles.add("/public", Location.CLASSPATH);
            c.routes.before(ctx -> SecurityHeaders.ALL.forEach(ctx::header));
            c.routes.get("/blank", ctx -> ctx.html(blank));
        }).start("127.0.0.1", 0);
        Chromium.Session browser = null;
        try {
            browser = Browsers.launch();
            Page page = browser.browser().newPage();
            page.navigate("http://127.0.0.1:" + server.port() + "/blank");
            if (!Boolean.TRUE.equals(page.evaluate("() => typeof window.d3 === 'object'"))) {
                throw new IllegalStateException("D3 did not load on the blank page");
            }
            return new ModulePage(server, browser, page);
        } catch (RuntimeException | Error e) {
            if (browser != null) {
                browser.close();
            }
            server.stop();
            throw e;
        }
    }

    /** The page's own D3 script tag, so these tests load the D3 the page loads. */
    private static String d3ScriptOfIndexHtml() {
        try (InputStream in = ModulePage.class.getResourceAsStream("/public/index.html")) {
            Matcher m = D3_SCRIPT.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            if (!m.find()) {
                throw new IllegalStateException("index.html has no D3 script tag");
            }
            return m.group();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Imports {@code /js/<module>} and returns, as JSON, what {@code function} (JavaScript source of a function of
     * the module, e.g. {@code m => m.shorten('abc')}, may be async) returns; undefined comes back as a missing node.
     */
    JsonNode call(String module, String function) {
        String script = "async () => { const m = await import('/js/" + module + "');"
                + " return JSON.stringify({ value: await (" + function + ")(m) }); }";
        JsonNode value;
        try {
            value = JSON.readTree(page.evaluate(script).toString()).path("value");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (!refused.isEmpty()) {
            throw new IllegalStateException(module + " broke the page's Content-Security-Policy: " + refused);
        }
        return value;
    }

    @Override
    public void close() {
        browser.close();
        server.stop();
    }
}
