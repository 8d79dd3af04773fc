package mixtral.inspector.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import com.microsoft.playwright.options.RequestOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import mixtral.evidence.EvidenceJson;
import mixtral.inspector.engine.Limits;
import mixtral.testing.Prerequisites;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The page at the default cap of 512 tokens, on small and dark screens, and by keyboard: what a long prompt, a phone,
 * a dark theme or a person without a mouse needs from it.
 */
class InspectorScaleTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * A sanity bound, not a speed target: a draw that took this long would be unusable. How fast it is, is measured
     * by {@code ./mixtral inspector-bench} and reported in FRONTEND.md, not by a timed test.
     */
    static final double MAX_ATTENTION_DRAW_MS = 5_000;

    @RegisterExtension
    static final PageRig rig = new PageRig(Limits.defaults(), 60_000);
    /** A trace of as many tokens as the server allows (512 by default): the French example's tokens repeated. */
    static String longTrace;
    static int longTokens;
    Page page;
    /** Uncaught errors of the page's scripts; every test ends with none. */
    final List<String> errors = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        Limits limits = Limits.defaults();
        try (BrowserContext c = rig.browser().browser().newContext()) {
            JsonNode model = JSON.readTree(c.request().get(rig.url("/api/model")).text());
            JsonNode example = JSON.readTree(c.request().get(rig.url("/api/traces/"
                    + model.get("exampleTraceId").asText())).text()).get("tokens");
            List<Integer> ids = new ArrayList<>(List.of(example.get(0).get("id").asInt()));
            for (int i = 1; ids.size() < limits.maxTokens(); i = i % (example.size() - 1) + 1) {
                ids.add(example.get(i).get("id").asInt());
            }
            String created = c.request().post(rig.url("/api/traces"), RequestOptions.create()
                    .setHeader("Content-Type", "application/json").setData(JSON.writeValueAsString(
                            JSON.createObjectNode().set("tokens", JSON.valueToTree(ids))))).text();
            longTrace = JSON.readTree(created).get("id").asText();
            longTokens = ids.size();
        }
    }

    void open(Browser.NewContextOptions options) {
        page = rig.open(options);
        page.onPageError(errors::add);
    }

    @AfterEach
    void close() {
        assertTrue(errors.isEmpty(), "the page threw: " + errors);
    }

    private void load(String path) {
        page.navigate(rig.url(path));
        page.waitForFunction("() => document.body.dataset.ready");
    }

    private void loadLong() {
        open(new Browser.NewContextOptions().setViewportSize(1400, 900));
        load("/?trace=" + longTrace);
        assertThat(page.locator("#tokens .token")).hasCount(longTokens);
    }

    @Test
    void attentionOf512TokensIsOneCanvasThatFitsTheScreen() {
        loadLong();
        page.locator("#attn-show").click();
        assertThat(page.locator("#attention .stack")).hasAttribute("data-tokens", Integer.toString(longTokens));
        double ms = Double.parseDouble(page.locator("#attention canvas").getAttribute("data-draw-ms"));
        assertTrue(ms < MAX_ATTENTION_DRAW_MS, "drawn in " + ms + " ms");
        int nodes = ((Number) page.evaluate("() => document.querySelectorAll('#attention *').length")).intValue();
        assertTrue(nodes < 3 * longTokens, "the cells are pixels, not elements: " + nodes + " elements");
        int cw = Integer.parseInt(page.locator("#attention .stack").getAttribute("data-cell"));
        int width = ((Number) page.locator("#attention canvas").evaluate("c => c.getBoundingClientRect().right")).intValue();
        assertTrue(width <= 1400, "the whole map fits the screen, " + cw + " px per token: right edge at " + width);
    }

    @Test
    void at512TokensTheOverviewBrushScrollsTheTokenViewsTogether() {
        loadLong();
        assertThat(page.locator("#routing-map .overview .brush .selection")).isVisible();
        assertEquals(longTokens * 6, page.locator("#routing-map .cell-text").count() * 6
                / Integer.parseInt(page.locator("#routing-map .stack").getAttribute("data-layers")));
        var box = page.locator("#routing-map .overview canvas").boundingBox();
        // Drag the brush to the middle of the overview: the map and the heatmap show the middle tokens.
        var sel = page.locator("#routing-map .overview .brush .selection").boundingBox();
        page.mouse().move(sel.x + sel.width / 2, sel.y + sel.height / 2);
        page.mouse().down();
        page.mouse().move(box.x + box.width / 2, sel.y + sel.height / 2, new com.microsoft.playwright.Mouse.MoveOptions().setSteps(5));
        page.mouse().up();
        double mapFirst = firstToken("#routing-map .routing-scroll");
        double heatFirst = firstToken("#router-heatmap .chart-scroll");
        double normsFirst = firstToken("#norms .chart-scroll");
        double entropyFirst = firstToken("#entropy .chart-scroll");
        assertTrue(mapFirst > longTokens / 4.0, "the brush scrolled the map: first token " + mapFirst);
        assertEquals(mapFirst, heatFirst, 1.0, "the heatmap scrolled with the map");
        assertEquals(mapFirst, normsFirst, 1.0, "the norms scrolled with the map");
        assertEquals(mapFirst, entropyFirst, 1.0, "the entropy scrolled with the map");
    }

    @Test
    void selectingATokenScrollsItIntoViewInEveryTokenView() {
        loadLong();
        int token = 200;
        page.locator("#tokens .token[data-token='" + token + "']").click();
        assertThat(page.locator("#detail-title")).hasText("token #" + token);
        for (String view : List.of("#routing-map .routing-scroll", "#router-heatmap .chart-scroll", "#norms .chart-scroll",
                "#entropy .chart-scroll")) {
            double band = ((Number) page.locator(view + " .band[data-token='" + token + "']")
                    .evaluate("(b, v) => { const r = b.getBoundingClientRect(); const s = document.querySelector(v)"
                            + ".getBoundingClientRect(); return r.left >= s.left - 1 && r.right <= s.right + 1 ? 1 : 0; }",
                            view)).doubleValue();
            assertEquals(1.0, band, "token " + token + " in view in " + view);
        }
    }

    @Test
    void theRouterHeatmapOf512TokensIsNotCutOff() {
        loadLong();
        String last = "#router-heatmap .token-label[data-token='" + (longTokens - 1) + "']";
        double labelRight = ((Number) page.locator(last).evaluate("e => e.getBoundingClientRect().right")).doubleValue();
        double svgRight = ((Number) page.locator("#router-heatmap svg:not(.gradient-legend)").last()
                .evaluate("e => e.getBoundingClientRect().right")).doubleValue();
        assertTrue(labelRight <= svgRight, "the last token's label ends inside the chart: " + labelRight + " > " + svgRight);
        assertThat(page.locator("#router-heatmap rect.cell")).hasCount(longTokens * 8);
    }

    /**
     * Scrolled to its last token (which scrolls the other token views with it), at 512 tokens, on a wide and on a
     * phone-wide screen, the heatmap still says which row is which expert, and the routing map, the norms and the
     * entropy which row is which layer: every row label is inside the screen and inside every box that clips it, as is the last
     * token's column.
     */
    @Test
    void rowLabelsStayInViewWhenTheTokenViewsScrollToTheEnd() {
        for (int width : new int[] {1400, 390}) {
            open(new Browser.NewContextOptions().setViewportSize(width, 900));
            load("/?trace=" + longTrace);
            for (String view : List.of("#router-heatmap", "#routing-map", "#norms", "#entropy")) {
                page.locator(view).scrollIntoViewIfNeeded();
                page.locator(view).evaluate("v => { const n = v.matches('[data-scroll-sync]') ? v"
                        + " : v.querySelector('[data-scroll-sync]'); n.scrollLeft = n.scrollWidth; }");
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
                assertTrue(Browsers.inView(page, view + " .band[data-token='" + (longTokens - 1) + "']"),
                        width + " px: " + view + " scrolled to the end shows the last token's column");
                String label = view.equals("#router-heatmap") ? ".expert-label" : ".layer-label";
                int rows = page.locator(view + " " + label).count();
                assertEquals(page.locator(view.equals("#routing-map") ? "#routing-map .cell-text" : view + " rect.cell")
                        .count(), rows * longTokens, width + " px: one label per row of " + view);
                for (int i = 0; i < rows; i++) {
                    assertTrue(Browsers.inView(page, view + " " + label + " >> nth=" + i),
                            width + " px: " + view + "'s label of row " + i + " scrolled out of view");
                }
            }
        }
    }

    @Test
    void arrowKeysMoveThroughTheRoutingMapAndEnterOpensTheToken() {
        open(new Browser.NewContextOptions().setViewportSize(1400, 900));
        load("/");
        page.locator("#tokens .token[data-token='0']").click();
        assertThat(page.locator("#detail-title")).hasText("token #0");
        page.locator("#routing-map svg.routing-svg").focus();
        page.keyboard().press("ArrowRight");
        page.keyboard().press("ArrowRight");
        page.keyboard().press("ArrowDown");
        page.keyboard().press("ArrowDown");
        page.keyboard().press("ArrowUp");
        assertThat(page.locator("#routing-map .cursor")).hasAttribute("data-token", "2");
        assertThat(page.locator("#routing-map .cursor")).hasAttribute("data-layer", "1");
        page.keyboard().press("Enter");
        assertThat(page.locator("#detail-title")).hasText("token #2");
        assertThat(page.locator("#heatmap-title-layer")).hasText("1");
        assertThat(page.locator("#token-detail tr.selected")).hasAttribute("data-layer", "1");
    }

    @Test
    void aDarkColourSchemeGivesADarkPageWithLightText() {
        open(new Browser.NewContextOptions().setViewportSize(1400, 900).setColorScheme(ColorScheme.DARK));
        load("/");
        double bg = luminance("document.documentElement", "backgroundColor");
        double card = luminance("document.querySelector('.card')", "backgroundColor");
        double ink = luminance("document.body", "color");
        double label = luminance("document.querySelector('#routing-map .layer-label')", "fill");
        assertTrue(bg < 0.05 && card < 0.05, "dark backgrounds: " + bg + ", " + card);
        assertTrue(ink > 0.6 && label > 0.3, "light text: " + ink + ", labels " + label);
        page.screenshot(new Page.ScreenshotOptions().setPath(InspectorPageTest.SCREENSHOTS.resolve("dark.png")));
        open(new Browser.NewContextOptions().setViewportSize(1400, 900).setColorScheme(ColorScheme.LIGHT));
        load("/");
        assertTrue(luminance("document.documentElement", "backgroundColor") > 0.8, "and a light page otherwise");
    }

    @Test
    void aPhoneWideScreenNeverScrollsThePageSideways() {
        open(new Browser.NewContextOptions().setViewportSize(390, 844));
        load("/");
        int overflow = ((Number) page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue();
        String wide = page.evaluate("() => [...document.querySelectorAll('body *')].filter(e => "
                + "e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.chart, .scroll, .chart-scroll'))"
                + ".slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className).join(', ')").toString();
        assertEquals(0, overflow, "the page is wider than the screen; too wide: " + wide);
        page.screenshot(new Page.ScreenshotOptions().setPath(InspectorPageTest.SCREENSHOTS.resolve("phone.png")));
    }

    @Test
    void theRoutingMapIsInTheFirstScreen() {
        open(new Browser.NewContextOptions().setViewportSize(1400, 900));
        load("/");
        double bottom = ((Number) page.locator("#routing-map canvas.cells")
                .evaluate("c => c.getBoundingClientRect().bottom")).doubleValue();
        assertTrue(bottom <= 900, "the routing map's cells end at " + bottom + " px, below the first 900");
    }

    @Test
    void anExpertsTokensAreMarkedInTheTextAndItsPairsCountedInTheCoActivationMatrix() throws IOException {
        open(new Browser.NewContextOptions().setViewportSize(1400, 900));
        load("/");
        JsonNode summary = JSON.readTree(page.request().get(rig.url("/api/traces/"
                + page.evaluate("() => document.body.dataset.trace"))).text());
        page.locator("#layer-select").selectOption("4");
        page.locator("#expert-select").selectOption("1");
        JsonNode row = summary.at("/routing/4");
        int first = 0;
        int later = 0;
        int together = 0;
        for (JsonNode cell : row) {
            JsonNode experts = cell.get("experts");
            first += experts.get(0).asInt() == 1 ? 1 : 0;
            for (int i = 1; i < experts.size(); i++) {
                later += experts.get(i).asInt() == 1 ? 1 : 0;
            }
            boolean has1 = false;
            boolean has3 = false;
            for (JsonNode e : experts) {
                has1 |= e.asInt() == 1;
                has3 |= e.asInt() == 3;
            }
            together += has1 && has3 ? 1 : 0;
        }
        assertThat(page.locator("#expert-tokens .expert-text[data-expert='1'][data-layer='4']")).hasCount(1);
        assertThat(page.locator("#expert-tokens mark.took.rank-first")).hasCount(first);
        assertThat(page.locator("#expert-tokens mark.took.rank-later")).hasCount(later);
        assertThat(page.locator("#co-activation g[data-layer='4'] rect[data-row='1'][data-column='3']"))
                .hasAttribute("data-count", Integer.toString(together));
        assertThat(page.locator("#co-activation g[data-layer='4'] rect[data-row='1'][data-column='1']"))
                .hasAttribute("data-count", summary.at("/load/4/1").asText());
        int layers = summary.get("layers").asInt();
        assertThat(page.locator("#entropy rect.cell")).hasCount(layers * summary.get("tokens").size());
        double h = 0;
        for (JsonNode p : summary.at("/routing/2/3/probs")) {
            h -= p.asDouble() > 0 ? p.asDouble() * Math.log(p.asDouble()) / Math.log(2) : 0;
        }
        InspectorPageTest.assertShown(h, page.locator("#entropy rect.cell[data-layer='2'][data-token='3']").getAttribute("data-bits"));
    }

    @Test
    void everyChartSavesAsPngSvgAndCsv() throws IOException {
        List<String> charts = List.of("#routing-map", "#router-heatmap", "#expert-load", "#co-activation", "#norms",
                "#entropy", "#attention");
        for (String chart : charts) {
            // A fresh page per chart: Chromium asks before a page saves many files, and headless it cannot ask.
            open(new Browser.NewContextOptions().setViewportSize(1400, 900).setAcceptDownloads(true));
            load("/");
            page.locator("#attn-show").click();
            assertThat(page.locator("#attention .stack")).hasCount(1);
            byte[] png = save(chart, "png");
            assertTrue(png.length > 1000 && Browsers.isPng(png),
                    chart + ": a PNG of " + png.length + " bytes");
            String svg = new String(save(chart, "svg"), StandardCharsets.UTF_8);
            assertTrue(svg.startsWith("<svg") && svg.contains("xmlns=\"http://www.w3.org/2000/svg\""), chart + ": " + svg.substring(0, 80));
            String csv = new String(save(chart, "csv"), StandardCharsets.UTF_8);
            assertTrue(csv.lines().count() > 8 && csv.contains(","), chart + ": " + csv.lines().findFirst().orElse(""));
        }
        String map = new String(save("#routing-map", "svg"), StandardCharsets.UTF_8);
        assertTrue(map.contains("data:image/png;base64,"), "the routing map's canvas is in its SVG");
        String csv = new String(save("#routing-map", "csv"), StandardCharsets.UTF_8);
        JsonNode summary = JSON.readTree(page.request().get(rig.url("/api/traces/"
                + page.evaluate("() => document.body.dataset.trace"))).text());
        assertEquals(1 + summary.get("layers").asInt() * summary.get("tokens").size(), csv.lines().count(),
                "one line per cell and a header");
    }

    /**
     * The evidence section's two charts (the per-layer measures and the group-by-expert heatmap) save like the others:
     * a PNG, an SVG that parses and holds every bar or cell, and their numbers as CSV, one line per bar or cell.
     */
    @Test
    void theEvidenceChartsSaveAsPngSvgAndCsv() throws Exception {
        Prerequisites.require(getClass().getResource(EvidenceJson.DEMO) != null,
                "no " + EvidenceJson.DEMO + " on the classpath: ./mixtral evidence writes it");
        JsonNode ev = null;
        for (String chart : List.of("#evidence-measures", "#evidence-heatmap")) {
            open(new Browser.NewContextOptions().setViewportSize(1400, 900).setAcceptDownloads(true));
            load("/");
            assertThat(page.locator("#evidence-section")).isVisible();
            ev = JSON.readTree(page.request().get(rig.url("/api/evidence")).text());
            byte[] png = save(chart, "png");
            assertTrue(png.length > 1000 && Browsers.isPng(png), chart + ": a PNG of " + png.length + " bytes");
            assertTrue(ImageIO.read(new ByteArrayInputStream(png)).getWidth() > 100, chart + ": the PNG decodes");
            Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(save(chart, "svg")));
            assertEquals("svg", svg.getDocumentElement().getTagName(), chart);
            List<String> csv = new String(save(chart, "csv"), StandardCharsets.UTF_8).lines().toList();
            int layers = ev.at("/trained/mutual_information_bits").size();
            int cells = ev.get("groups").size() * ev.at("/trained/first_choice/0/0").size();
            if (chart.equals("#evidence-measures")) {
                assertEquals("measure,layer,trained,random,chance", csv.get(0));
                assertEquals(1 + 4 * layers, csv.size(), "a line per measure and layer");
                assertEquals(4 * 2 * layers, elementsWith(svg, "data-value", "rect"), "every bar in the SVG");
                String[] mi = csv.get(1).split(",");
                assertEquals("mutual_information_bits", mi[0]);
                assertEquals(ev.at("/trained/mutual_information_bits/0").asDouble(), Double.parseDouble(mi[2]), 0);
                assertEquals(ev.at("/random/mutual_information_bits/0").asDouble(), Double.parseDouble(mi[3]), 0);
            } else {
                assertEquals("layer,weights,group,expert,count,share", csv.get(0));
                assertEquals(1 + cells, csv.size(), "a line per group and expert");
                assertEquals(cells, elementsWith(svg, "data-share", "rect"), "every cell in the SVG");
                String layer = page.locator("#evidence-layer").inputValue();
                String[] first = csv.get(1).split(",");
                assertEquals(List.of(layer, "trained", ev.at("/groups/0").asText(), "0"), List.of(first).subList(0, 4));
                assertEquals(ev.at("/trained/first_choice/" + layer + "/0/0").asDouble(), Double.parseDouble(first[4]), 0);
            }
        }
    }

    private static int elementsWith(Document svg, String attribute, String tag) {
        NodeList all = svg.getElementsByTagName(tag);
        int n = 0;
        for (int i = 0; i < all.getLength(); i++) {
            n += ((Element) all.item(i)).hasAttribute(attribute) ? 1 : 0;
        }
        return n;
    }

    private byte[] save(String chart, String kind) throws IOException {
        assertTrue(errors.isEmpty(), "the page threw " + errors);
        return Browsers.export(page, chart, kind);
    }

    /** The first token a view shows: its scroll offset over its column width. */
    private double firstToken(String view) {
        return ((Number) page.locator(view).evaluate("n => n.scrollLeft / Number(n.dataset.cw)")).doubleValue();
    }

    /** WCAG relative luminance of a computed colour property of the element an expression gives. */
    private double luminance(String element, String property) {
        return ((Number) page.evaluate("() => { const c = getComputedStyle(" + element + ")." + property + ";"
                + " const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => (v /= 255) <= 0.04045"
                + " ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4); return 0.2126 * r + 0.7152 * g + 0.0722 * b; }"))
                .doubleValue();
    }
}
