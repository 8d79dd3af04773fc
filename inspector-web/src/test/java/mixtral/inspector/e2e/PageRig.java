package mixtral.inspector.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import java.util.ArrayList;
import java.util.List;
import mixtral.inspector.bench.Chromium;
import mixtral.inspector.engine.Limits;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every browser test class needs, in one place: before its first test the inspector on the demo model
 * ({@link InspectorServer}) and a headless Chromium ({@link Browsers#launch}), closed after its last; in a test, pages
 * of a fresh browser context that record what the browser refuses under the page's Content-Security-Policy; after
 * each test that context closed and no refusal allowed. A class registers one as
 * {@code @RegisterExtension static final PageRig rig = new PageRig(limits, timeoutMs)}; its own {@code @BeforeAll}
 * methods run after the server and browser are up.
 */
final class PageRig implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
    private final Limits limits;
    private final double assertionTimeoutMs;
    private final List<String> refused = new ArrayList<>();
    private InspectorServer server;
    private Chromium.Session browser;
    private BrowserContext context;

    /** {@code assertionTimeoutMs}: how long Playwright's assertions wait; a model run on a shared machine is slow. */
    PageRig(Limits limits, double assertionTimeoutMs) {
        this.limits = limits;
        this.assertionTimeoutMs = assertionTimeoutMs;
    }

    @Override
    public void beforeAll(ExtensionContext unused) {
        PlaywrightAssertions.setDefaultAssertionTimeout(assertionTimeoutMs);
        server = InspectorServer.start(limits);
        browser = Browsers.launch();
    }

    @Override
    public void afterAll(ExtensionContext unused) throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    public void afterEach(ExtensionContext unused) {
        if (context != null) {
            context.close();
            context = null;
        }
        try {
            Browsers.assertNoCspRefusals(refused);
        } finally {
            refused.clear();
        }
    }

    /** The address of {@code path} on the server. */
    String url(String path) {
        return server.url(path);
    }

    Chromium.Session browser() {
        return browser;
    }

    /** A page of a fresh 1400 x 1000 context; see {@link #open(Browser.NewContextOptions)}. */
    Page open() {
        return open(new Browser.NewContextOptions().setViewportSize(1400, 1000));
    }

    /** A page of a fresh context with {@code options}, closing the test's previous context. */
    Page open(Browser.NewContextOptions options) {
        if (context != null) {
            context.close();
        }
        context = browser.browser().newContext(options);
        return newPage();
    }

    /** Another page of the current context, e.g. a shared link opened beside the page that made it. */
    Page newPage() {
        Page page = context.newPage();
        Browsers.recordCspRefusals(page, refused);
        return page;
    }

    /** What the browser refused so far in this test (each test must end with none; a test may clear its own). */
    List<String> refused() {
        return refused;
    }
}
