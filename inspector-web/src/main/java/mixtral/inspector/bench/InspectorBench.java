package mixtral.inspector.bench;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import io.javalin.Javalin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import mixtral.bench.Timing;
import mixtral.inspector.InspectorApp;
import mixtral.inspector.engine.InspectedModel;
import mixtral.inspector.engine.Inspector;
import mixtral.inspector.engine.Limits;
import mixtral.inspector.engine.ModelRunner;
import mixtral.inspector.engine.TraceStore;

/**
 * Times the inspector page in headless Chromium on the embedded demo model, for prompts of a few lengths: the page's
 * load until its routing map is drawn, the routing map's, the router heatmap's and one attention head's draw (the
 * {@code data-draw-ms} each sets from {@code performance.measure}), and selecting a token, from the click to its
 * detail in the page. Each run is a fresh browser context (nothing cached), at 1400 x 900; one untimed run per
 * length comes first, so that the server's code is compiled.
 */
public final class InspectorBench {
    /** The figures, in the table's order. */
    public static final List<String> FIGURES = List.of("page load to routing map drawn", "routing map draw",
            "router heatmap draw", "attention draw (one head)", "select a token (click to detail shown)");

    /** One prompt length's times, one {@link Timing} per figure of {@link #FIGURES}. */
    public record Row(int tokens, List<Timing> figures) {}

    /**
     * The token's detail is shown when its title says so and the detail has been laid out (reading its box makes
     * the browser do the layout now): measured in the page, so that no round trip to Playwright counts.
     */
    private static final String SELECT = "position => new Promise((resolve, reject) => {"
            + " const title = document.querySelector('#detail-title'); const want = `token #${position}`;"
            + " if (title.textContent === want) { reject(new Error(`${want} is already selected`)); return; }"
            + " setTimeout(() => reject(new Error(`${want} not shown after 60 s`)), 60000);"
            + " const started = performance.now();"
            + " const seen = new MutationObserver(() => { if (title.textContent !== want) return; seen.disconnect();"
            + "   document.querySelector('#token-detail').getBoundingClientRect(); resolve(performance.now() - started); });"
            + " seen.observe(title, { childList: true, characterData: true, subtree: true });"
            + " document.querySelector(`#tokens .token[data-token='${position}']`).click(); })";

    private InspectorBench() {}

    /**
     * Runs {@code runs} timed repetitions for each prompt length in {@code tokens} (each at least 2 and at most the
     * server's limit) and returns a row per length; {@code progress} hears each finished run's length.
     */
    public static List<Row> run(List<Integer> tokens, int runs, Browser browser, IntConsumer progress) throws IOException {
        Limits limits = Limits.defaults();
        Path data = Files.createTempDirectory("inspector-bench");
        ModelRunner runner = new ModelRunner(limits.queue());
        Inspector inspector = new Inspector(InspectedModel.demo(), limits, runner,
                new TraceStore(data, limits.cachedTraces()));
        inspector.traceExample();
        Javalin app = InspectorApp.create(inspector).start("127.0.0.1", 0);
        try {
            long[] example = inspector.encode(inspector.model().examplePrompt());
            List<Row> rows = new ArrayList<>();
            for (int t : tokens) {
                String url = "http://127.0.0.1:" + app.port() + "/?trace=" + inspector.trace(prompt(example, t), 0).id();
                once(browser, url, t);
                List<double[]> times = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    times.add(once(browser, url, t));
                    progress.accept(t);
                }
                List<Timing> figures = new ArrayList<>();
                for (int f = 0; f < FIGURES.size(); f++) {
                    int i = f;
                    figures.add(new Timing(times.stream().map(x -> x[i]).toList(), Timing.Memory.UNKNOWN));
                }
                rows.add(new Row(t, figures));
            }
            return rows;
        } finally {
            app.stop();
            runner.close();
            deleteTree(data);
        }
    }

    /** {@code n} tokens: the example's first (BOS), then the rest of the example over and over. */
    static long[] prompt(long[] example, int n) {
        long[] ids = new long[n];
        ids[0] = example[0];
        for (int i = 1; i < n; i++) {
            ids[i] = example[1 + (i - 1) % (example.length - 1)];
        }
        return ids;
    }

    /** One run on a fresh context: the times of {@link #FIGURES}, in milliseconds. */
    private static double[] once(Browser browser, String url, int tokens) {
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1400, 900))) {
            Page page = context.newPage();
            List<String> errors = new ArrayList<>();
            page.onPageError(errors::add);
            page.navigate(url);
            page.waitForFunction("() => document.body.dataset.ready");
            double load = number(page.evaluate("() => performance.getEntriesByName('routing-map-drawn')[0]?.startTime"),
                    "the routing map's 'routing-map-drawn' mark");
            double map = drawMs(page, "#routing-map canvas.cells");
            double heatmap = drawMs(page, "#router-heatmap");
            double select = number(page.evaluate(SELECT, tokens / 2), "the time to select a token");
            page.locator("#attn-show").click();
            page.locator("#attention .stack[data-tokens='" + tokens + "']").waitFor();
            double attention = drawMs(page, "#attention canvas");
            if (!errors.isEmpty()) {
                throw new IllegalStateException("the page threw: " + errors);
            }
            return new double[] {load, map, heatmap, attention, select};
        }
    }

    private static double drawMs(Page page, String selector) {
        return number(page.locator(selector).getAttribute("data-draw-ms"), "data-draw-ms of " + selector);
    }

    /** A time the page gave, or a failure naming what it did not give: a benchmark never reports a missing time as 0. */
    private static double number(Object value, String what) {
        double ms = value instanceof Number n ? n.doubleValue() : value == null ? Double.NaN : Double.parseDouble(value.toString());
        if (!(ms >= 0) || Double.isInfinite(ms)) {
            throw new IllegalStateException("the page gave no usable " + what + ": " + value);
        }
        return ms;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
