package mixtral.inspector.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import mixtral.evidence.EvidenceJson;
import mixtral.evidence.HeldoutSet;
import mixtral.inspector.engine.Limits;
import mixtral.testing.Prerequisites;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The page in headless Chromium against the inspector on the demo model: what a person types, clicks and sees.
 * Cell counts are checked against the API's own numbers (T tokens, L layers, E experts).
 */
class InspectorPageTest {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final String HTML_PROMPT = "<img src=x onerror=alert(1)><script>alert(2)</script>";
    static final ObjectMapper JSON = new ObjectMapper();
    /** Room for the longest example prompt (the Java one, about 100 tokens), small enough to test the cap. */
    static final int MAX_TOKENS = 128;
    /**
     * Total-variation distance between the French and the Java example's first-choice expert distributions (BOS aside)
     * that at least one layer must reach. Measured in layers 0-5 on the development model (step 1400 of 3000): 0.34,
     * 0.21, 0.09, 0.24, 0.92, 0.31; on the final weights (step 3000): 0.34, 0.18, 0.11, 0.36, 0.90, 0.34. Random weights of the same shape ({@code ./mixtral random-checkpoint} with the demo
     * model's config) also route by token identity: 0.19, 0.28, 0.34, 0.23, 0.41, 0.19. The floor lies between the two.
     */
    static final double MIN_ROUTING_DISTANCE = 0.6;

    /**
     * Some assertions wait for a model run (attention is recorded on demand); the trained demo model is larger than
     * the random one was, and a shared 2-core machine can take well over Playwright's default 5 s for it: 30 s.
     */
    @RegisterExtension
    static final PageRig rig = new PageRig(new Limits(MAX_TOKENS, 16, 64 * 1024, 4, 32), 30_000);
    Page page;
    final List<String> dialogs = new ArrayList<>();
    /** What the browser refused under the page's Content-Security-Policy; every test ends with none. */
    final List<String> refused = rig.refused();

    @BeforeAll
    static void start() throws IOException {
        Files.createDirectories(SCREENSHOTS);
    }

    @BeforeEach
    void open() {
        page = rig.open();
        page.onDialog(d -> {
            dialogs.add(d.message());
            d.dismiss();
        });
    }

    /**
     * The policy holds in the browser, and the check after each test sees a breach: an injected script and style
     * attribute are refused, while the page's own colours (set through the CSSOM) are applied.
     */
    @Test
    void theContentSecurityPolicyRefusesInjectedScriptsAndStylesAndTheCheckSeesIt() {
        load("/");
        assertNotEquals("rgba(0, 0, 0, 0)", page.locator(".legend .swatch").first()
                .evaluate("e => getComputedStyle(e).backgroundColor"), "legend swatches are coloured");
        assertTrue(((Number) page.locator("#next .bar").first().evaluate("e => e.getBoundingClientRect().width"))
                .doubleValue() > 0, "the top prediction's bar has its width");
        assertTrue(refused.isEmpty(), refused.toString());
        page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
                + " document.body.append(s); document.body.setAttribute('style', 'background: red'); }");
        page.waitForCondition(() -> refused.size() >= 2);
        assertEquals(null, page.evaluate("() => window.injected"), "the inline script did not run");
        assertTrue(refused.stream().anyMatch(r -> r.contains("script-src")), refused.toString());
        assertTrue(refused.stream().anyMatch(r -> r.contains("style-src")), refused.toString());
        refused.clear();
    }

    @Test
    void firstLoadShowsTheModelCardAndTheExampleTrace() {
        JsonNode summary = load("/");
        JsonNode model = get("/api/model");
        assertEquals(model.get("exampleTraceId").asText(), summary.get("id").asText());
        assertThat(page.locator("#model-name")).hasText(model.get("name").asText());
        assertThat(page.locator("#model-card .card-facts [data-fact='training']")).containsText("MixtralForCausalLM");
        assertThat(page.locator(".params")).containsText("active per token");
        assertThat(page.locator("#examples button.example")).hasCount(model.get("examples").size());
        assertThat(page.locator("#prompt")).hasValue(model.at("/examples/0/text").asText());
        int t = summary.get("tokens").size();
        assertTrue(t > 1, "the example prompt has several tokens");
        assertThat(page.locator("#tokens .token")).hasCount(t);
        assertThat(page.locator("#routing-map .cell-text")).hasCount(t * summary.get("layers").asInt());
        assertThat(page.locator("#next .prediction")).hasCount(summary.get("next").size());
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("overview.png")).setFullPage(true));
    }

    /** The card says what the server says the model is, and carries the random-weights note exactly when told so. */
    @Test
    void theModelCardShowsTheServedDescriptionAndTheRandomWeightsNoteOnlyForRandomWeights() {
        ObjectNode model = (ObjectNode) get("/api/model");
        load("/");
        assertThat(page.locator("#model-card .description")).hasText(model.get("description").asText());
        assertThat(page.locator("#model-card .honest-note")).hasCount(0);          // the demo model is trained

        model.put("randomWeights", true);
        page.route("**/api/model", route -> route.fulfill(new Route.FulfillOptions().setStatus(200)
                .setContentType("application/json").setBody(model.toString())));
        load("/");
        assertThat(page.locator("#model-card .honest-note")).hasCount(1);
        assertThat(page.locator("#model-card .honest-note")).containsText("Random weights");
    }

    @Test
    void theFrenchAndTheJavaExamplesRouteVisiblyDifferently() {
        JsonNode shown = load("/");
        JsonNode french = runExample("fr", shown.get("id").asText());
        assertThat(page.locator("#prompt")).hasValue(example("fr").get("text").asText());
        JsonNode java = runExample("java", french.get("id").asText());
        assertThat(page.locator("#tokens .token")).hasCount(java.get("tokens").size());
        int layers = french.get("layers").asInt();
        double[] distance = new double[layers];
        for (int l = 0; l < layers; l++) {
            distance[l] = totalVariation(firstChoices(french, l), firstChoices(java, l));
        }
        System.out.println("first-choice distance, French vs Java example, per layer: " + Arrays.toString(distance));
        assertTrue(Arrays.stream(distance).max().orElse(0) >= MIN_ROUTING_DISTANCE,
                "French and Java route alike in every layer: " + Arrays.toString(distance));
    }

    @Test
    void theEvidenceSectionShowsTheMeasuresAndAGroupByExpertHeatmap() {
        Prerequisites.require(getClass().getResource(EvidenceJson.DEMO) != null,
                "no " + EvidenceJson.DEMO + " on the classpath: ./mixtral evidence writes it");
        load("/");
        JsonNode ev = get("/api/evidence");
        int g = ev.get("groups").size();
        int e = get("/api/model").at("/config/num_local_experts").asInt();
        int layers = ev.at("/trained/mutual_information_bits").size();
        assertThat(page.locator("#evidence-section")).isVisible();
        assertThat(page.locator("#evidence-heatmap rect.cell")).hasCount(g * e);
        assertThat(page.locator("#evidence-measures figure.measure")).hasCount(4);
        assertThat(page.locator("#evidence-measures rect.bar")).hasCount(4 * 2 * layers);
        assertThat(page.locator("#evidence-measures line.chance")).hasCount(4);
        assertThat(page.locator("#model-learned li")).hasCount(3);
        String command = ev.get("command").asText();
        assertThat(page.locator("#evidence-command")).hasText(command);
        assertTrue(command.startsWith(HeldoutSet.CORPUS_STEP + " && ./mixtral evidence")
                && !command.substring(HeldoutSet.CORPUS_STEP.length()).matches("(?s).*[\\s'][/~].*"),
                "the page says how to make the evidence again from a fresh clone, corpus step first: " + command);
        page.locator("#evidence-layer").selectOption("1");
        page.locator("#evidence-weights").selectOption("random");
        assertThat(page.locator("#evidence-heatmap g[data-layer='1'][data-weights='random']")).hasCount(1);
        JsonNode row = ev.at("/random/first_choice/1/2");
        double sum = 0;
        for (JsonNode v : row) {
            sum += v.asDouble();
        }
        assertShown(row.get(3).asDouble() / sum, page.locator(
                "#evidence-heatmap rect.cell[data-group='" + ev.at("/groups/2").asText() + "'][data-expert='3']")
                .getAttribute("data-share"));
        page.locator("#evidence-section").screenshot(new Locator.ScreenshotOptions()
                .setPath(SCREENSHOTS.resolve("evidence.png")));
    }

    @Test
    void typingAPromptShowsTokensByExpertsInTheHeatmapAndTokensByLayersInTheRoutingMap() {
        load("/");
        JsonNode summary = run("1 5 9 33 7 2 250 8 19");
        int t = summary.get("tokens").size();
        int l = summary.get("layers").asInt();
        int e = summary.get("experts").asInt();
        assertThat(page.locator("#router-heatmap rect.cell")).hasCount(t * e);
        assertThat(page.locator("#routing-map .cell-text")).hasCount(t * l);
        assertThat(page.locator("#router-heatmap rect.cell.chosen")).hasCount(t * summary.get("k").asInt());
        assertThat(page.locator("#norms rect.cell")).hasCount(l * t);
        assertThat(page.locator("#expert-load rect.bar")).hasCount(l * e);
        String firstChoice = page.locator("#routing-map .cell-text[data-token='0'][data-layer='0']")
                .getAttribute("data-expert");
        assertEquals(summary.at("/routing/0/0/experts/0").asText(), firstChoice);
    }

    @Test
    void clickingATokenShowsItsDetailWithOneRowPerLayer() {
        JsonNode summary = load("/");
        page.locator("#tokens .token[data-token='1']").click();
        assertThat(page.locator("#detail-title")).hasText("token #1");
        assertThat(page.locator("#token-detail tbody tr")).hasCount(summary.get("layers").asInt());
        assertThat(page.locator("#token-detail tbody tr").first().locator(".lens-item")).hasCount(5);
        assertThat(page.locator("#routing-map .band.selected[data-token='1']")).hasCount(1);
        hoverRoutingCell(page, 1, 2);
        assertThat(page.locator(".tooltip")).containsText("router probabilities");
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("token-detail.png")).setFullPage(true));
    }

    @Test
    void switchingTheLayerRedrawsTheRouterHeatmapWithThatLayersProbabilities() {
        JsonNode summary = load("/");
        String layer0 = probs();
        page.locator("#layer-select").selectOption("3");
        assertThat(page.locator("#router-heatmap g[data-layer='3']")).hasCount(1);
        assertThat(page.locator("#heatmap-title-layer")).hasText("3");
        assertThat(page.locator("#expert-load .multiple.selected")).hasAttribute("data-layer", "3");
        String layer3 = probs();
        assertNotEquals(layer0, layer3);
        assertShown(summary.at("/routing/3/0/probs/0").asDouble(),
                page.locator("#router-heatmap rect.cell[data-token='0'][data-expert='0']").getAttribute("data-prob"));
        assertThat(page.locator("#tokens .token[data-token='1']"))
                .hasAttribute("data-expert", summary.at("/routing/3/1/experts/0").asText());
        page.locator("#expert-load .multiple[data-layer='5']").click();
        assertThat(page.locator("#router-heatmap g[data-layer='5']")).hasCount(1);
    }

    @Test
    void theNormsViewShowsTheChosenTensorsNormsForEveryLayerAndToken() {
        JsonNode summary = load("/");
        int layers = summary.get("layers").asInt();
        for (String tensor : List.of("attn.out", "moe.out", "resid_post")) {
            page.locator("#norm-select").selectOption(tensor);
            assertThat(page.locator("#norms rect.cell")).hasCount(layers * summary.get("tokens").size());
            String cell = "#norms rect.cell[data-layer='" + (layers - 1) + "'][data-token='2']";
            assertShown(summary.get("norms").get(tensor).get(layers - 1).get(2).asDouble(),
                    page.locator(cell).getAttribute("data-value"));
        }
    }

    @Test
    void aPromptWithHtmlAndScriptShowsLiterallyAndRunsNothing() {
        load("/");
        int scripts = page.locator("script").count();
        JsonNode summary = run(HTML_PROMPT);
        String shown = String.join("", page.locator("#tokens .token").allTextContents()).replace("␣", " ");
        assertTrue(shown.contains(HTML_PROMPT), "token strip shows the prompt as text: " + shown);
        assertEquals(summary.get("tokens").size(), page.locator("#tokens .token").count());
        hoverRoutingCell(page, 2, 0);
        assertThat(page.locator(".tooltip")).isVisible();
        page.locator("#tokens .token[data-token='2']").click();
        assertThat(page.locator("#detail-title")).hasText("token #2");
        assertThat(page.locator("#token-detail tbody tr")).hasCount(summary.get("layers").asInt());
        assertTrue(dialogs.isEmpty(), "no dialog opened: " + dialogs);
        assertEquals(scripts, page.locator("script").count(), "no script element was added");
        assertEquals(0, page.locator("img").count(), "no img element was added");
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("html-prompt.png")).setFullPage(true));
    }

    @Test
    void accentsAndEmojiShowAsCharactersNotAsBytePieces() {
        load("/");
        JsonNode summary = run("Déjà vu, naïve café 😀");
        String shown = String.join("", page.locator("#tokens .token").allTextContents());
        assertTrue(shown.contains("é") && shown.contains("ï") && shown.contains("😀"), "readable text: " + shown);
        assertTrue(!shown.contains("<0x"), "no raw byte pieces: " + shown);
        assertEquals(summary.get("tokens").size(), page.locator("#tokens .token").count());
    }

    @Test
    void generateAppendsTokensAndMarksThemAsGenerated() {
        JsonNode before = load("/");
        int t = before.get("tokens").size();
        page.locator("#generate-n").fill("3");
        page.locator("#generate").click();
        JsonNode after = waitForNewTrace(before.get("id").asText());
        assertEquals(t + 3, after.get("tokens").size());
        assertThat(page.locator("#tokens .token")).hasCount(t + 3);
        assertThat(page.locator("#tokens .token.generated")).hasCount(3);
        assertThat(page.locator("#routing-map .cell-text")).hasCount((t + 3) * after.get("layers").asInt());
    }

    @Test
    void attentionShowsTokensByTokensCellsForTheChosenLayerAndHead() {
        JsonNode summary = load("/");
        int t = summary.get("tokens").size();
        page.locator("#attn-layer").selectOption("2");
        page.locator("#attn-head").selectOption("1");
        page.locator("#attn-show").click();
        assertThat(page.locator("#attention g[data-layer='2'][data-head='1']")).hasCount(1);
        assertThat(page.locator("#attention .stack")).hasAttribute("data-tokens", Integer.toString(t));
        int cw = Integer.parseInt(page.locator("#attention .stack").getAttribute("data-cell"));
        assertEquals(t * cw, ((Number) page.locator("#attention canvas").evaluate("c => c.width")).intValue());
        page.locator("#attention rect.hit").hover(new Locator.HoverOptions().setPosition(cw * 1.5, cw * 0.5));
        assertThat(page.locator(".tooltip")).containsText("a future token: masked");
        page.locator("#attention rect.hit").hover(new Locator.HoverOptions().setPosition(cw * 0.5, cw * 0.5));
        assertThat(page.locator(".tooltip")).containsText("100.0% of query #0's attention on key #0");
    }

    @Test
    void aSharedTraceUrlShowsThatTraceAndItsDownload() throws IOException {
        load("/");
        JsonNode created = run("3 1 4 1 5 9 2 6");
        String id = created.get("id").asText();
        page.navigate(rig.url("/?trace=" + id));
        page.waitForFunction("id => document.body.dataset.trace === id", id);
        assertThat(page.locator("#tokens .token")).hasCount(created.get("tokens").size());
        assertThat(page.locator("#download-link")).hasAttribute("href", "/api/traces/" + id + "/trace.safetensors");
        Download download = page.waitForDownload(() -> page.locator("#download-link").click());
        assertEquals("trace-" + id + ".safetensors", download.suggestedFilename());
        assertTrue(Files.size(download.path()) > 8, "the download has a safetensors header and tensors");
    }

    @Test
    void anUnknownTraceLinkSaysSoAndShowsTheExampleTrace() {
        JsonNode shown = load("/?trace=0123456789abcdef");
        assertEquals(get("/api/model").get("exampleTraceId").asText(), shown.get("id").asText());
        assertThat(page.locator("#message.error")).containsText("Cannot show trace 0123456789abcdef");
        assertThat(page.locator("#message.error")).containsText("Showing the example prompt instead");
    }

    @Test
    void aTooLongPromptShowsAOneLineErrorAndKeepsTheTrace() {
        JsonNode before = load("/");
        page.locator("#prompt").fill("7 ".repeat(200));
        page.locator("#prompt").press("Enter");
        Locator message = page.locator("#message.error");
        assertThat(message).isVisible();
        assertThat(message).containsText(Integer.toString(MAX_TOKENS));
        assertEquals(1, message.textContent().lines().count());
        assertThat(page.locator("#trace-id")).hasText(before.get("id").asText());
    }

    @Test
    void clickingANextTokenPredictionAppendsThatToken() {
        JsonNode before = load("/");
        String predicted = page.locator("#next .prediction").first().getAttribute("data-id");
        page.locator("#next .prediction").first().click();
        JsonNode after = waitForNewTrace(before.get("id").asText());
        int t = before.get("tokens").size();
        assertEquals(t + 1, after.get("tokens").size());
        assertEquals(predicted, after.at("/tokens/" + t + "/id").asText());
    }

    @Test
    void aBusyServerShowsWhenToRetry() {
        JsonNode before = load("/");
        page.route("**/api/traces", route -> route.fulfill(new Route.FulfillOptions().setStatus(429)
                .setHeaders(Map.of("Retry-After", "7", "Content-Type", "application/json"))
                .setBody("{\"status\":429,\"error\":\"the model is busy: 4 requests are waiting\"}")));
        page.locator("#prompt").fill("Bonjour");
        page.locator("#run").click();
        assertThat(page.locator("#message.error")).containsText("retry in 7 s");
        assertThat(page.locator("#message.error")).containsText("4 requests are waiting");
        assertThat(page.locator("#run")).isEnabled();
        assertThat(page.locator("#trace-id")).hasText(before.get("id").asText());
    }

    /** Hovers the routing map's cell of a token at a layer (the cells are pixels of a canvas under a hit area). */
    static void hoverRoutingCell(Page page, int token, int layer) {
        double cw = Double.parseDouble(page.locator("#routing-map .routing-scroll").getAttribute("data-cw"));
        double row = Double.parseDouble(page.locator("#routing-map .stack").getAttribute("data-row"));
        page.locator("#routing-map rect.hit").hover(new Locator.HoverOptions()
                .setPosition(cw * (token + 0.5), row * (layer + 0.5)));
    }

    /** Opens a page and waits until it shows a trace; returns that trace's summary from the API. */
    private JsonNode load(String path) {
        page.navigate(rig.url(path));
        page.waitForFunction("() => document.body.dataset.trace");
        return summary(page.evaluate("() => document.body.dataset.trace").toString());
    }

    /** Types a prompt, presses Enter and waits for its trace. */
    private JsonNode run(String prompt) {
        String before = page.evaluate("() => document.body.dataset.trace || ''").toString();
        page.locator("#prompt").fill(prompt);
        page.locator("#prompt").press("Enter");
        return waitForNewTrace(before);
    }

    /** A value the page shows with 4 decimals (JavaScript's toFixed may round the last digit the other way). */
    static void assertShown(double expected, String shown) {
        assertEquals(expected, Double.parseDouble(shown), 1.5e-4, shown);
    }

    /** Clicks an example's button and waits for its trace. */
    private JsonNode runExample(String language, String before) {
        page.locator("#examples button.example[data-language='" + language + "']").click();
        return waitForNewTrace(before);
    }

    private JsonNode example(String language) {
        for (JsonNode x : get("/api/model").get("examples")) {
            if (x.get("language").asText().equals(language)) {
                return x;
            }
        }
        throw new AssertionError("no " + language + " example");
    }

    /** The share of the tokens (BOS aside) whose first choice at {@code layer} is each expert: [E]. */
    static double[] firstChoices(JsonNode summary, int layer) {
        double[] share = new double[summary.get("experts").asInt()];
        JsonNode cells = summary.at("/routing/" + layer);
        for (int t = 1; t < cells.size(); t++) {
            share[cells.get(t).at("/experts/0").asInt()] += 1.0 / (cells.size() - 1);
        }
        return share;
    }

    /** Half the L1 distance: the share of tokens that would have to change expert to turn one into the other. */
    static double totalVariation(double[] p, double[] q) {
        double d = 0;
        for (int i = 0; i < p.length; i++) {
            d += Math.abs(p[i] - q[i]);
        }
        return d / 2;
    }

    private JsonNode waitForNewTrace(String before) {
        page.waitForFunction("prev => document.body.dataset.trace && document.body.dataset.trace !== prev", before);
        return summary(page.evaluate("() => document.body.dataset.trace").toString());
    }

    private JsonNode summary(String id) {
        return get("/api/traces/" + id);
    }

    private JsonNode get(String path) {
        try {
            return JSON.readTree(page.request().get(rig.url(path)).text());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " is not JSON", e);
        }
    }

    private String probs() {
        return String.join(",", page.locator("#router-heatmap rect.cell").evaluateAll(
                "cells => cells.map(c => c.dataset.prob)").toString());
    }
}
