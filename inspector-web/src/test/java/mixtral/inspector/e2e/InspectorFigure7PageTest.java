package mixtral.inspector.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import mixtral.inspector.engine.Limits;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Figure 7 by label in headless Chromium: label two traces, see the figure, share it by link, export it. */
class InspectorFigure7PageTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final PageRig rig = new PageRig(new Limits(InspectorPageTest.MAX_TOKENS, 16, 64 * 1024, 4, 32), 30_000);
    Page page;

    @BeforeEach
    void open() {
        page = rig.open(new Browser.NewContextOptions().setViewportSize(1400, 1000).setAcceptDownloads(true));
    }

    @Test
    void labellingTwoTracesDrawsEachLabelsSharePerExpertAndLayerAndALinkRestoresIt() throws IOException {
        load("/");
        String fr = runExample("fr");
        label("fr");
        String code = runExample("python");
        label("code");
        showFigure("code, fr");
        page.waitForFunction("() => location.search.includes('figure7=code%2Cfr')");

        JsonNode f = get("/api/figure7?labels=code,fr");
        int layers = f.get("layers").asInt();
        int experts = f.get("experts").asInt();
        assertEquals(List.of(code), JSON.convertValue(f.at("/labels/0/traces"), List.class));
        assertEquals(List.of(fr), JSON.convertValue(f.at("/labels/1/traces"), List.class));
        assertFigure(f);
        assertThat(page.locator("#figure7 .figure7-note")).containsText("Dashed: an even split, 1/8 = 12.5%");
        Files.createDirectories(InspectorPageTest.SCREENSHOTS);
        page.locator("#figure7-section").screenshot(new Locator.ScreenshotOptions()
                .setPath(InspectorPageTest.SCREENSHOTS.resolve("figure7.png")));

        Page shared = rig.newPage();
        shared.navigate(page.url());
        shared.waitForFunction("() => document.body.dataset.ready");
        assertThat(shared.locator("#figure7-labels")).hasValue("code, fr");
        assertThat(shared.locator("#figure7 rect.share")).hasCount(2 * layers * experts);
        assertThat(shared.locator("#figure7 g.expert").first().locator("rect.share").first())
                .hasAttribute("data-label", "code");
        assertThat(shared.locator("#trace-label-now")).hasText("labelled “code”");
        shared.close();

        String csv = new String(save("csv"), StandardCharsets.UTF_8);
        assertEquals(1 + 2 * layers * experts, csv.lines().count(), "a header and one line per label, layer, expert");
        assertTrue(csv.startsWith("label,layer,expert,share,token_count,trace_ids"), csv.lines().findFirst().orElse(""));
        String svg = new String(save("svg"), StandardCharsets.UTF_8);
        assertTrue(svg.startsWith("<svg") && svg.contains("xmlns=\"http://www.w3.org/2000/svg\""), svg.substring(0, 80));
        byte[] png = save("png");
        assertTrue(png.length > 1000 && (png[0] & 0xff) == 0x89 && png[1] == 'P', "a PNG of " + png.length + " bytes");
    }

    @Test
    void removingTheShownTracesLabelTakesItOutOfTheFigureAndTheLink() {
        load("/");
        assertThat(page.locator("#unlabel-trace")).isHidden();
        String de = runExample("de");
        label("de");
        String es = runExample("es");
        label("es");
        showFigure("de, es");
        JsonNode f = get("/api/figure7?labels=de,es");
        int panel = f.get("layers").asInt() * f.get("experts").asInt();
        assertThat(page.locator("#figure7 rect.share")).hasCount(2 * panel);
        assertThat(page.locator("#figure7 rect.share[data-label='es']")).hasCount(panel);

        page.locator("#unlabel-trace").click();
        assertThat(page.locator("#trace-label-now")).hasText("no label");
        assertThat(page.locator("#unlabel-trace")).isHidden();
        assertThat(page.locator("#message")).containsText("Trace " + es + " has no label now.");
        assertThat(page.locator("#figure7-labels")).hasValue("de");
        assertThat(page.locator("#figure7 rect.share")).hasCount(panel);
        assertThat(page.locator("#figure7 rect.share[data-label='es']")).hasCount(0);
        page.waitForFunction("() => new URLSearchParams(location.search).get('figure7') === 'de'");
        assertEquals(404, page.request().delete(rig.url("/api/traces/" + es + "/label")).status(),
                "the server no longer has the label the page removed");
        assertEquals(List.of(de), JSON.convertValue(get("/api/figure7?labels=de").at("/labels/0/traces"), List.class));
    }

    @Test
    void choosingLayersDrawsExactlyThosePanelsAndTheLinkRestoresThem() throws IOException {
        load("/");
        runExample("it");
        label("it");
        showFigure("it");
        JsonNode f = get("/api/figure7?labels=it");
        int layers = f.get("layers").asInt();
        int experts = f.get("experts").asInt();
        assertTrue(layers > 4 && layers <= 8, "the demo model shows every layer by default: " + layers);
        assertThat(page.locator("#figure7 .figure7-panel")).hasCount(layers);
        assertThat(page.locator("#figure7-all-layers")).isHidden();
        assertThat(page.locator("#figure7 .figure7-note")).containsText("Layers shown: all " + layers + ".");

        page.locator("#figure7-layers").fill("4, 1");
        page.locator("#figure7-layers").press("Enter");
        page.waitForFunction("() => new URLSearchParams(location.search).get('figure7-layers') === '1,4'");
        assertPanels(page, List.of("1", "4"), experts);
        assertThat(page.locator("#figure7 .figure7-note")).containsText("Layers shown: 1,4 of " + layers + ".");
        String csv = new String(save("csv"), StandardCharsets.UTF_8);
        assertEquals(1 + 2 * experts, csv.lines().count(), "the CSV has the layers shown: " + csv);
        assertTrue(csv.lines().skip(1).allMatch(l -> l.startsWith("it,1,") || l.startsWith("it,4,")), csv);

        Page shared = rig.newPage();
        shared.navigate(page.url());
        shared.waitForFunction("() => document.body.dataset.ready");
        assertThat(shared.locator("#figure7-layers")).hasValue("1,4");
        assertPanels(shared, List.of("1", "4"), experts);
        runExampleOn(shared, "fr");
        assertTrue(shared.url().contains("figure7-layers=1%2C4"), "showing another trace keeps the layers: " + shared.url());
        shared.close();

        page.locator("#figure7-all-layers").click();
        assertThat(page.locator("#figure7 .figure7-panel")).hasCount(layers);
        assertThat(page.locator("#figure7-layers")).hasValue("all");
        page.waitForFunction("() => new URLSearchParams(location.search).get('figure7-layers') === 'all'");

        page.locator("#figure7-layers").fill("2-" + layers);
        page.locator("#figure7-show").click();
        assertThat(page.locator("#message")).containsText("“2-" + layers + "” is not a layer or a range of layers");
        assertThat(page.locator("#figure7 .figure7-panel")).hasCount(layers);
    }

    @Test
    void aLabelWithACommaIsRefusedInOneLineAndAnUnknownOneSaysWhichThereAre() {
        load("/");
        page.locator("#trace-label").fill("fr,de");
        page.locator("#label-trace").click();
        assertThat(page.locator("#message")).containsText("label may hold letters, digits, spaces");
        showFigure("nowhere");
        assertThat(page.locator("#message")).containsText("no trace of this model is labelled 'nowhere'");
    }

    /** Every bar's share is the server's, the bars of an expert are in the order asked, and the line is at 1/E. */
    private void assertFigure(JsonNode f) {
        int layers = f.get("layers").asInt();
        int experts = f.get("experts").asInt();
        assertThat(page.locator("#figure7 rect.share")).hasCount(2 * layers * experts);
        assertThat(page.locator("#figure7 line.uniform")).hasCount(layers);
        for (int g = 0; g < 2; g++) {
            String label = f.at("/labels/" + g + "/label").asText();
            for (int[] at : new int[][] {{0, 0}, {layers - 1, experts - 1}, {layers / 2, 3}}) {
                InspectorPageTest.assertShown(f.at("/labels/" + g + "/shares/" + at[0] + "/" + at[1]).asDouble(),
                        page.locator("#figure7 rect.share[data-layer='" + at[0] + "'][data-expert='" + at[1]
                                + "'][data-label='" + label + "']").getAttribute("data-share"));
            }
        }
        assertThat(page.locator("#figure7 .figure7-panel[data-layer='0'] g.expert").first()
                .locator("rect.share").nth(1)).hasAttribute("data-label", "fr");
        assertThat(page.locator("#figure7 .figure7-panel[data-layer='0'] text.expert-digit")).hasCount(experts);
    }

    private void load(String path) {
        page.navigate(rig.url(path));
        page.waitForFunction("() => document.body.dataset.ready");
        assertThat(page.locator("#trace-label-now")).hasText("no label");
    }

    private String runExample(String language) {
        runExampleOn(page, language);
        assertThat(page.locator("#trace-label-now")).hasText("no label");
        return page.evaluate("() => document.body.dataset.trace").toString();
    }

    private static void runExampleOn(Page on, String language) {
        String before = on.evaluate("() => document.body.dataset.trace || ''").toString();
        on.locator("#examples button.example[data-language='" + language + "']").click();
        on.waitForFunction("b => document.body.dataset.trace && document.body.dataset.trace !== b", before);
    }

    /** The figure has a panel for each of {@code layers} and no other, each with its bars. */
    private static void assertPanels(Page on, List<String> layers, int experts) {
        assertThat(on.locator("#figure7 .figure7-panel")).hasCount(layers.size());
        assertEquals(layers, on.locator("#figure7 .figure7-panel").evaluateAll("ps => ps.map(p => p.dataset.layer)"));
        assertThat(on.locator("#figure7 rect.share")).hasCount(layers.size() * experts);
    }

    /** Asks the page for Figure 7 of these labels, as a user types and shows them. */
    private void showFigure(String labels) {
        page.locator("#figure7-labels").fill(labels);
        page.locator("#figure7-show").click();
    }

    private void label(String label) {
        page.locator("#trace-label").fill(label);
        page.locator("#label-trace").click();
        assertThat(page.locator("#trace-label-now")).hasText("labelled “" + label + "”");
        assertThat(page.locator("#unlabel-trace")).isVisible();
    }

    private byte[] save(String kind) throws IOException {
        Download d = page.waitForDownload(new Page.WaitForDownloadOptions().setTimeout(10_000), () ->
                page.locator("#figure7 .export-bar button[data-export='" + kind + "']").click());
        assertTrue(d.suggestedFilename().startsWith("figure-7-") && d.suggestedFilename().endsWith("." + kind),
                d.suggestedFilename());
        return Files.readAllBytes(d.path());
    }

    private JsonNode get(String path) {
        try {
            return JSON.readTree(page.request().get(rig.url(path)).text());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " is not JSON", e);
        }
    }
}
