package mixtral.inspector.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import com.microsoft.playwright.TimeoutError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mixtral.testing.Prerequisites;

/**
 * Finds a headless Chromium for the browser tests: {@code CHROMIUM_PATH}, else {@code /usr/bin/chromium}, else
 * Playwright's own (downloaded on a normal machine). With none, the tests fail under {@code CI=true} and are skipped
 * with the reason otherwise: a browser test may never pass silently without a browser in CI.
 */
final class Browsers {
    /** Headless flags that keep Debian's Chromium quiet and off the network (see ../shared/notes/stack.md). */
    private static final List<String> ARGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-dev-shm-usage");

    private Browsers() {}

    /** A Playwright and a launched browser; close the Playwright to close both. */
    record Session(Playwright playwright, Browser browser) implements AutoCloseable {
        @Override
        public void close() {
            playwright.close();
        }
    }

    /**
     * Collects into {@code refused} what the browser refuses on {@code page} under the page's Content-Security-Policy
     * (Chromium reports each refusal on the console), so that a test can end by asserting there was none.
     */
    static void recordCspRefusals(Page page, List<String> refused) {
        page.onConsoleMessage(m -> {
            if (m.text().contains("Content Security Policy")) {
                refused.add(m.text());
            }
        });
    }

    /** Fails when the page broke its Content-Security-Policy (see {@link #recordCspRefusals}). */
    static void assertNoCspRefusals(List<String> refused) {
        assertTrue(refused.isEmpty(), "the page broke its Content-Security-Policy: " + refused);
    }

    /**
     * Clicks the export button of {@code kind} (png, svg, csv) in the export bar of the chart {@code chart} (a
     * selector) and returns the file saved. The page's context must accept downloads; Chromium asks before a page
     * saves many files, and headless it cannot ask, so use a fresh page every few.
     */
    static byte[] export(Page page, String chart, String kind) throws IOException {
        com.microsoft.playwright.Download d;
        try {
            d = page.waitForDownload(new Page.WaitForDownloadOptions().setTimeout(10_000), () ->
                    page.locator(chart + " > .export-bar button[data-export='" + kind + "']").click());
        } catch (TimeoutError e) {
            throw new AssertionError("no " + kind + " of " + chart + " saved", e);
        }
        assertTrue(d.suggestedFilename().endsWith("." + kind), d.suggestedFilename());
        return Files.readAllBytes(d.path());
    }

    /** Whether the element is inside the screen's width and inside every box between it and the page that clips it. */
    static boolean inView(Page page, String selector) {
        return (Boolean) page.locator(selector).evaluate("e => { const r = e.getBoundingClientRect();"
                + " if (r.width <= 0 || r.left < -1 || r.right > document.documentElement.clientWidth + 1) return false;"
                + " for (let n = e.parentElement; n && n !== document.body; n = n.parentElement) {"
                + "   if (getComputedStyle(n).overflowX === 'visible') continue;"
                + "   const b = n.getBoundingClientRect(); if (r.left < b.left - 1 || r.right > b.right + 1) return false; }"
                + " return true; }");
    }

    /** Whether {@code bytes} begin with the PNG signature. */
    static boolean isPng(byte[] bytes) {
        return bytes.length > 8 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G'
                && bytes[4] == '\r' && bytes[5] == '\n' && bytes[6] == 0x1a && bytes[7] == '\n';
    }

    static Session launch() {
        Optional<Path> system = systemChromium();
        try {
            if (system.isPresent()) {
                Playwright pw = Playwright.create(new Playwright.CreateOptions()
                        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
                return new Session(pw, pw.chromium().launch(new BrowserType.LaunchOptions()
                        .setExecutablePath(system.get()).setHeadless(true).setArgs(ARGS)));
            }
            Playwright pw = Playwright.create();
            return new Session(pw, pw.chromium().launch(new BrowserType.LaunchOptions().setHeadless(true)));
        } catch (PlaywrightException e) {
            throw Prerequisites.missing("no Chromium for the browser tests (set CHROMIUM_PATH, install "
                    + "/usr/bin/chromium, or let Playwright download its own): "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static Optional<Path> systemChromium() {
        String env = System.getenv("CHROMIUM_PATH");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (!Files.isExecutable(p)) {
                fail("CHROMIUM_PATH=" + env + " is not an executable file");
            }
            return Optional.of(p);
        }
        Path debian = Path.of("/usr/bin/chromium");
        return Files.isExecutable(debian) ? Optional.of(debian) : Optional.empty();
    }
}
