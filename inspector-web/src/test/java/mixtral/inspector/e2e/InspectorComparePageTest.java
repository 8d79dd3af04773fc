package mixtral.inspector.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.RequestOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import mixtral.inspector.Fixtures;
import mixtral.inspector.engine.Limits;
import mixtral.trace.TraceRecorder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The compare and what-if features of the page in headless Chromium: import, the diff view, a what-if, the threshold. */
class InspectorComparePageTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final PageRig rig = new PageRig(new Limits(InspectorPageTest.MAX_TOKENS, 16, 64 * 1024, 4, 32), 30_000);
    Page page;

    @BeforeAll
    static void start() throws IOException {
        Files.createDirectories(InspectorPageTest.SCREENSHOTS);
    }

    @BeforeEach
    void open() {
        page = rig.open();
    }

    @Test
    void anImportedTraceOfTheSameTokensIsShownAsADiffThatPasses() throws IOException {
        JsonNode a = load("/");
        long[] tokens = new long[a.get("tokens").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = a.get("tokens").get(i).get("id").asLong();
        }
        TraceRecorder rec = TraceRecorder.all(false);
        Fixtures.demo().model().forward(tokens, rec);
        Path file = Files.createTempFile("elsewhere-", ".safetensors");
        rec.toTrace(Fixtures.demo().config()).write(file);
        page.locator("#import-file").setInputFiles(file);
        assertThat(page.locator("#compare-section")).isVisible();
        assertThat(page.locator(".diff-headline")).hasAttribute("data-passed", "true");
        assertTrue(page.url().contains("compare="), page.url());
        assertThat(page.locator("#message")).containsText("Imported");
        Files.delete(file);
    }

    @Test
    void theDiffViewMarksTiesAndRealFlipsApartAndJumpsToTheFirstDivergence() {
        JsonNode a = load("/");
        String id = a.get("id").asText();
        int k = a.get("k").asInt();
        int layers = a.get("layers").asInt();
        int t = a.get("tokens").size();
        // The closest call gets its runner-up (a tie under twice its margin), the clearest its least likely experts.
        JsonNode closest = null;
        JsonNode clearest = null;
        int[] at = new int[4];
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < t; i++) {
                JsonNode c = a.get("routing").get(l).get(i);
                if (closest == null || c.get("margin").asDouble() < closest.get("margin").asDouble()) {
                    closest = c;
                    at[0] = l;
                    at[1] = i;
                }
                if (clearest == null || c.get("margin").asDouble() > clearest.get("margin").asDouble()) {
                    clearest = c;
                    at[2] = l;
                    at[3] = i;
                }
            }
        }
        List<Integer> order = byProbability(closest.get("probs"));
        List<Integer> tie = new ArrayList<>(order.subList(0, k - 1));
        tie.add(order.get(k));
        List<Integer> byClear = byProbability(clearest.get("probs"));
        List<Integer> loser = byClear.subList(byClear.size() - k, byClear.size());
        double margin = 2 * closest.get("margin").asDouble() + 1e-6;
        String body = "{\"force\": [{\"layer\": " + at[0] + ", \"token\": " + at[1] + ", \"experts\": " + tie
                + "}, {\"layer\": " + at[2] + ", \"token\": " + at[3] + ", \"experts\": " + loser + "}]}";
        JsonNode w = post("/api/traces/" + id + "/whatif?tieMargin=" + margin, body);
        String b = w.get("id").asText();
        JsonNode flips = w.get("diff").get("report").get("flips");
        long ties = 0;
        for (JsonNode f : flips) {
            ties += f.get("tie").asBoolean() ? 1 : 0;
        }
        page.navigate(rig.url("/?trace=" + id + "&compare=" + b + "&tieMargin=" + margin));
        assertThat(page.locator("#compare-section")).isVisible();
        assertThat(page.locator("rect.diff-cell")).hasCount(t * layers);
        assertThat(page.locator("#compare")).not().containsText("null");
        assertThat(page.locator("rect.diff-cell[data-flip='tie']")).hasCount((int) ties);
        assertThat(page.locator("rect.diff-cell[data-flip='real']")).hasCount(flips.size() - (int) ties);
        assertThat(page.locator(".flip-glyph.tie").first()).hasText("≈");
        assertThat(page.locator(".flip-glyph.real").first()).hasText("✕");
        assertThat(page.locator(".flip-frame.tie").first()).hasCSS("stroke-dasharray", "3px, 2px");
        assertThat(page.locator("text.agreement")).hasCount(layers);
        assertThat(page.locator("rect.kl-bar")).hasCount(t);
        assertThat(page.locator("#tie-margin")).hasValue(String.valueOf(margin));
        page.locator(String.format("rect.diff-cell[data-layer='%d'][data-token='%d']", at[0], at[1])).hover();
        assertThat(page.locator(".tooltip")).containsText("router margin");
        assertThat(page.locator(".tooltip")).containsText("≈ tie");
        // docs/inspector-diff.png is this picture (FRONTEND.md): a tie and a real flip, the tie's margin on hover.
        page.locator("#compare-section").screenshot(new Locator.ScreenshotOptions()
                .setPath(InspectorPageTest.SCREENSHOTS.resolve("diff-view.png")));
        page.locator("#jump-first").click();
        JsonNode first = w.get("diff").get("report").get("first");
        assertEquals(at[2], first.get("layer").asInt());
        assertThat(page.locator("#detail-title")).hasText("token #" + first.get("token").asInt());
        assertThat(page.locator("rect.diff-cell.current")).hasAttribute("data-layer", String.valueOf(at[2]));
        page.screenshot(new Page.ScreenshotOptions().setPath(InspectorPageTest.SCREENSHOTS.resolve("diff.png"))
                .setFullPage(true));
    }

    @Test
    void aWhatIfFromTheTokenDetailShowsTheDiffAndTheNextTokenBeforeAndAfter() {
        JsonNode a = load("/");
        page.locator("#tokens .token").nth(1).click();
        assertThat(page.locator("#whatif h4")).hasText("What if, at token #1");
        page.locator("#whatif-kind").selectOption("drop");
        page.locator("#whatif-layer").selectOption("*");
        page.locator("#whatif-expert").selectOption("3");
        page.locator("#whatif-run").click();
        assertThat(page.locator("#compare-section")).isVisible();
        assertTrue(page.url().contains("trace=" + a.get("id").asText() + "&compare="), page.url());
        assertThat(page.locator(".diff-headline")).hasAttribute("data-passed", "false");
        assertThat(page.locator(".next-compare .prediction")).hasCount(2 * a.get("next").size());
        assertThat(page.locator("#compare")).containsText("drop_expert");
    }

    @Test
    void aWhatIfThatChangesKShowsEverySetChangedAndSaysKDiffers() {
        JsonNode a = load("/");
        int cells = a.get("tokens").size() * a.get("layers").asInt();
        page.locator("#tokens .token").nth(1).click();
        page.locator("#whatif-kind").selectOption("topK");
        page.locator("#whatif-k").fill("3");
        page.locator("#whatif-run").click();
        assertThat(page.locator("#compare-section")).isVisible();
        assertThat(page.locator(".diff-headline")).containsText("K differs (A 2, B 3)");
        assertThat(page.locator("rect.diff-cell[data-flip='real']")).hasCount(cells);
        page.locator("rect.diff-cell[data-layer='0'][data-token='1']").hover();
        assertThat(page.locator(".tooltip")).containsText("changed set: K 2 → 3, A's experts kept");
    }

    /**
     * On a phone-wide screen the diff is wider than its panel; scrolled to its last token it still says which row is
     * which layer and which bars are the KL: those labels stay beside the scrolling cells.
     */
    @Test
    void theDiffsRowLabelsStayInViewWhenItsColumnsScrollToTheEnd() {
        page = rig.open(new Browser.NewContextOptions().setViewportSize(390, 900));
        JsonNode a = load("/");
        String id = a.get("id").asText();
        int layers = a.get("layers").asInt();
        int t = a.get("tokens").size();
        String b = post("/api/traces/" + id + "/whatif", "{\"topK\": 3}").get("id").asText();
        page.navigate(rig.url("/?trace=" + id + "&compare=" + b));
        assertThat(page.locator("rect.diff-cell")).hasCount(t * layers);
        Locator chart = page.locator(".diff-chart");
        chart.scrollIntoViewIfNeeded();
        assertTrue((Boolean) chart.evaluate("c => [c, ...c.querySelectorAll('*')]"
                + ".some(n => n.scrollWidth > n.clientWidth + 1)"), "at 390 px the diff of " + t + " tokens scrolls sideways");
        chart.evaluate("c => [c, ...c.querySelectorAll('*')].forEach(n => { n.scrollLeft = n.scrollWidth; })");
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
        assertTrue(Browsers.inView(page, "rect.diff-cell[data-layer='0'][data-token='" + (t - 1) + "']"),
                "scrolled to the end, the last token's column is shown");
        assertThat(page.locator(".diff-chart .layer-label")).hasCount(layers);
        for (int l = 0; l < layers; l++) {
            assertTrue(Browsers.inView(page, ".diff-chart .layer-label >> nth=" + l),
                    "layer " + l + "'s label scrolled out of view");
        }
        assertTrue(Browsers.inView(page, ".diff-chart text:text-is('KL')"), "the KL bars' label scrolled out of view");
    }

    @Test
    void theNearTieThresholdIsOneControlThatFlagsTheMapAndTravelsInTheLink() {
        JsonNode a = load("/");
        JsonNode model = get("/api/model");
        assertThat(page.locator("#tie-margin")).hasValue(model.get("nearTieMargin").asText());
        assertThat(page.locator("#tie-margin-value")).hasText("margin < " + model.get("nearTieMargin").asText());
        page.locator("#tie-margin").fill("100");
        page.locator("#tie-margin").dispatchEvent("change");
        int cells = a.get("tokens").size() * a.get("layers").asInt();
        assertThat(page.locator("#routing-map")).hasAttribute("data-near-ties", String.valueOf(cells));
        assertThat(page.locator("#tie-margin-value")).hasText("margin < 100");
        assertTrue(page.url().contains("tieMargin=100"), page.url());
        page.reload();
        page.waitForFunction("() => document.body.dataset.ready");
        assertThat(page.locator("#routing-map")).hasAttribute("data-near-ties", String.valueOf(cells));
        page.locator("#tie-margin").fill("0");
        page.locator("#tie-margin").dispatchEvent("change");
        assertThat(page.locator("#routing-map")).hasAttribute("data-near-ties", "0");
    }

    private static List<Integer> byProbability(JsonNode p) {
        return IntStream.range(0, p.size()).boxed()
                .sorted((x, y) -> Double.compare(p.get(y).asDouble(), p.get(x).asDouble())).toList();
    }

    private JsonNode load(String path) {
        page.navigate(rig.url(path));
        page.waitForFunction("() => document.body.dataset.ready");
        return get("/api/traces/" + page.evaluate("() => document.body.dataset.trace"));
    }

    private JsonNode get(String path) {
        try {
            return JSON.readTree(page.request().get(rig.url(path)).text());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " is not JSON", e);
        }
    }

    private JsonNode post(String path, String body) {
        try {
            return JSON.readTree(page.request().post(rig.url(path), RequestOptions.create()
                    .setHeader("Content-Type", "application/json").setData(body)).text());
        } catch (IOException e) {
            throw new AssertionError("POST " + path + " is not JSON", e);
        }
    }
}
