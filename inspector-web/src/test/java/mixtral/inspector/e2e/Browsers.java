package mixtral.inspector.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.TimeoutError;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import mixtral.inspector.bench.Chromium;
import mixtral.testing.Prerequisites;

/**
 * What the browser tests share: the headless Chromium of {@link Chromium}, which with none fails the tests under
 * {@code CI=true} and skips them with the reason otherwise (a browser test may never pass silently without a browser
 * in CI), and helpers for what the page did.
 */
final class Browsers {
    private Browsers() {}

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

    /** The browser of {@link Chromium#launch}; without one the test fails under {@code CI=true} and is skipped otherwise. */
    static Chromium.Session launch() {
        try {
            return Chromium.launch();
        } catch (Chromium.NotFound e) {
            throw Prerequisites.missing(e.getMessage() + " (needed by the browser tests)");
        }
    }
}
