package mixtral.inspector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Comparator;
import mixtral.evidence.TellingCell;
import mixtral.model.Argmax;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Unit tests of the page's computing functions (colours, layout, near ties, token labels, the evidence sentence),
 * called in Chromium with inputs whose right answers differ from those of a plausible wrong rule.
 */
class PageFunctionsTest {
    /** WCAG 2 contrast ratio of two colours, as JavaScript, for the colour tests. */
    private static final String CONTRAST = "const lum = c => { const { r, g, b } = d3.rgb(c);"
            + " const f = v => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;"
            + " return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };"
            + " const contrast = (x, y) => (Math.max(lum(x), lum(y)) + 0.05) / (Math.min(lum(x), lum(y)) + 0.05);";
    /** CIE76 colour difference, as JavaScript. */
    private static final String DELTA_E = "const deltaE = (x, y) => { const p = d3.lab(x); const q = d3.lab(y);"
            + " return Math.hypot(p.l - q.l, p.a - q.a, p.b - q.b); };";

    private static final ObjectMapper JSON = new ObjectMapper();

    static ModulePage page;

    @BeforeAll
    static void open() {
        page = ModulePage.open();
    }

    @AfterAll
    static void close() {
        if (page != null) {
            page.close();
        }
    }

    @Nested
    class Colours {
        @Test
        void everyExpertHasAColourOfItsOwnForUpTo64Experts() {
            // d3's rainbow is cyclic: sampled E times rather than E + 1, its last colour is its first again.
            JsonNode repeated = page.call("colors.js",
                    "m => d3.range(1, 65).filter(E => new Set(d3.range(E).map(m.expertColors(E))).size < E)");
            assertEquals(0, repeated.size(), "expert counts with a repeated colour: " + repeated);
        }

        @Test
        void textOnEveryTableauExpertColourHasAtLeastThreeToOneContrast() {
            JsonNode worst = page.call("colors.js", "m => { " + CONTRAST + " const c = m.expertColors(10);"
                    + " return Math.min(...d3.range(10).map(e => contrast(c(e), m.textOn(c(e))))); }");
            assertTrue(worst.asDouble() >= 3, "lowest contrast of an expert's number on its colour: " + worst);
        }

        @Test
        void textIsWhiteOnDarkGreysAndDarkOnLightOnes() {
            // Always white fails on light greys (and on Tableau's yellow, 1.6:1); always dark fails on dark greys.
            JsonNode chosen = page.call("colors.js", "m => { " + CONTRAST + " return [0, 20, 40, 55, 70, 85, 100]"
                    + ".map(l => d3.lab(l, 0, 0).formatHex()).map(g => [m.textOn(g), contrast(g, m.textOn(g))]); }");
            for (int i = 0; i < chosen.size(); i++) {
                assertEquals(i < 4 ? "#fff" : "#111", chosen.get(i).get(0).asText(), "grey " + i + ": " + chosen);
                assertTrue(chosen.get(i).get(1).asDouble() >= 3, "grey " + i + ": " + chosen);
            }
        }

        @Test
        void probabilitiesGetLighterToDarkerAndSmallOnesStayApart() {
            JsonNode r = page.call("colors.js", "m => { " + DELTA_E + " const s = m.probabilityScale();"
                    + " const linear = d3.interpolateYlGnBu;"
                    + " return { l: [0, 0.25, 0.5, 0.75, 1].map(p => d3.lab(s(p)).l),"
                    + " sqrt: deltaE(s(0.01), s(0.05)), linear: deltaE(linear(0.01), linear(0.05)) }; }");
            for (int i = 1; i < r.get("l").size(); i++) {
                assertTrue(r.get("l").get(i).asDouble() < r.get("l").get(i - 1).asDouble(), "lightness " + r);
            }
            // The square root sets 1% and 5% apart by about twice the colour difference a linear scale gives them.
            assertTrue(r.get("sqrt").asDouble() > 1.5 * r.get("linear").asDouble(), r.toString());
        }

        @Test
        void largerNormsAreDarker() {
            JsonNode l = page.call("colors.js", "m => { const s = m.normScale(10);"
                    + " return [0, 5, 10].map(v => d3.lab(s(v)).l); }");
            assertTrue(l.get(0).asDouble() > l.get(1).asDouble() && l.get(1).asDouble() > l.get(2).asDouble(),
                    "lightness of norms 0, 5, 10: " + l);
        }
    }

    @Nested
    class Layout {
        @Test
        void columnsFitThePanelWheneverTheyAreAboveTheMinimum() {
            // Rounding instead of flooring would overflow, e.g. 30 tokens in 802 px get 27 px (810 px).
            JsonNode overflowing = page.call("layout.js", "m => d3.range(1, 300).flatMap(T => [600, 900, 1377]"
                    + ".filter(w => { const cw = m.cellWidth(w, T, 74); return cw > m.MIN_CELL_WIDTH"
                    + " && T * cw > w - 74 - 24; }).map(w => [T, w]))");
            assertEquals(0, overflowing.size(), "[tokens, panel] whose chart overflows: " + overflowing);
        }

        @Test
        void columnsStayBetweenTheMinimumAndTheMaximum() {
            JsonNode r = page.call("layout.js", "m => [m.cellWidth(900, 1, 74), m.cellWidth(900, 5000, 74),"
                    + " m.cellWidth(900, 30, 74), m.MIN_CELL_WIDTH, m.MAX_CELL_WIDTH]");
            assertEquals(r.get(4), r.get(0), "one token: the widest column, not the whole panel");
            assertEquals(r.get(3), r.get(1), "5000 tokens: the narrowest readable column; the panel scrolls");
            assertEquals(26, r.get(2).asInt(), "30 tokens in 900 - 74 - 24 = 802 px");
        }

        @Test
        void aPanelNotYetLaidOutCountsAs900Pixels() {
            JsonNode r = page.call("layout.js", "m => [m.cellWidth(0, 30, 74), m.cellWidth(900, 30, 74)]");
            assertEquals(r.get(1), r.get(0));
        }

        @Test
        void everyRoutingMapCellHasRoomForItsExpertsNumber() {
            // Colour alone cannot tell every expert apart (Tableau 10's red and green are alike under deuteranopia),
            // so the number must fit however many tokens there are.
            JsonNode narrowest = page.call("layout.js", "m => ({ cw: Math.min(...d3.range(1, 2000, 7)"
                    + ".flatMap(T => [0, 300, 900].map(w => m.cellWidth(w, T, 44)))), digit: m.DIGIT_WIDTH })");
            assertTrue(narrowest.get("cw").asInt() >= narrowest.get("digit").asInt(), narrowest.toString());
        }

        @Test
        void laterChoicesShareTheCellsBottomSideBySideInOrder() {
            JsonNode r = page.call("layout.js", "m => [16, 23, 40].flatMap(cw => [[5], [5, 1], [5, 1, 7]]"
                    + ".map(later => ({ cw, s: m.stripes(cw, later) })))");
            for (JsonNode c : r) {
                int cw = c.get("cw").asInt();
                JsonNode s = c.get("s");
                assertEquals(2, s.get(0).get("x").asDouble(), 1e-9, c.toString());
                JsonNode last = s.get(s.size() - 1);
                // The cell is cw - 1 wide: 2 px free on both sides. Dividing by K instead of K - 1 leaves a gap.
                assertEquals(cw - 3, last.get("x").asDouble() + last.get("width").asDouble(), 1e-9, c.toString());
                for (int i = 1; i < s.size(); i++) {
                    JsonNode prev = s.get(i - 1);
                    assertEquals(prev.get("x").asDouble() + prev.get("width").asDouble(), s.get(i).get("x").asDouble(),
                            1e-9, c.toString());
                }
                assertEquals("5", s.get(0).get("expert").asText(), "the second choice comes first: " + c);
            }
        }
    }

    @Nested
    class Ties {
        @Test
        void theRunnerUpIsTheMostLikelyExpertNotChosen() {
            JsonNode up = page.call("routing.js",
                    "m => m.runnerUp({ experts: [3, 1], probs: [0.1, 0.3, 0.25, 0.35] })");
            assertEquals(2, up.asInt());
        }

        @Test
        void whenTheRouterBrokeATieTheOtherWayTheRunnerUpIsStillUnchosen() {
            // Experts 0 and 1 tie and the router took 1: the third most likely by index order is 1, a chosen one.
            JsonNode up = page.call("routing.js", "m => m.runnerUp({ experts: [2, 1], probs: [0.3, 0.3, 0.4] })");
            assertEquals(0, up.asInt());
        }

        @Test
        void withEveryExpertChosenThereIsNoRunnerUp() {
            assertTrue(page.call("routing.js", "m => m.runnerUp({ experts: [1, 0], probs: [0.4, 0.6] })")
                    .isMissingNode());
        }

        @Test
        void equalProbabilitiesKeepTheLowerExpertFirstAsArgmaxDoes() {
            float[] probs = {0.2f, 0.4f, 0.2f, 0.4f};
            JsonNode order = page.call("routing.js", "m => m.byProbability([0.2, 0.4, 0.2, 0.4])");
            assertEquals("[1,3,0,2]", order.toString());
            assertEquals(Argmax.of(probs), order.get(0).asInt(), "the page's top expert is the model's argmax");
        }

        @Test
        void theFlaggedTokensAreThoseTheServerMarkedAsNearTies() {
            JsonNode ties = page.call("routing.js", "m => m.nearTies([{ nearTie: false, margin: 0.2 },"
                    + " { nearTie: true, margin: 0.19 }, { nearTie: false, margin: 3 },"
                    + " { nearTie: true, margin: 0 }])");
            assertEquals("[1,3]", ties.toString());
        }
    }

    @Nested
    class TokenLabels {
        @Test
        void aLabelOfTwelveCharactersIsKeptAndALongerOneEndsInAnEllipsis() {
            JsonNode r = page.call("layout.js", "m => [m.shorten('abcdefghijkl'), m.shorten('abcdefghijklm')]");
            assertEquals("abcdefghijkl", r.get(0).asText());
            assertEquals("abcdefghijk…", r.get(1).asText());
        }

        @Test
        void emojiCountAsOneCharacterAndAreNeverCutInHalf() {
            // Counting UTF-16 units would shorten seven emoji (14 units) and cut the sixth of thirteen in half.
            JsonNode r = page.call("layout.js", "m => [m.shorten('😀'.repeat(7)), m.shorten('😀'.repeat(13))]");
            assertEquals("😀".repeat(7), r.get(0).asText());
            assertEquals("😀".repeat(11) + "…", r.get(1).asText());
        }
    }

    @Nested
    class Evidence {
        @Test
        void theCardsStrongestPreferenceIsTellingCellsMostTellingCell() throws IOException {
            JsonNode ev;
            try (InputStream in = PageFunctionsTest.class.getResourceAsStream("/evidence/fixture.json")) {
                ev = JSON.readTree(in);
            }
            assertAgree(ev.get("trained").get("first_choice"));
        }

        @Test
        void anExpertBusyForEveryGroupIsNotAPreference() {
            // Expert 0 takes 60% of both groups: the largest share, and no preference at all.
            JsonNode best = assertAgree(JSON.valueToTree(new double[][][] {{{0.6, 0.4, 0.0}, {0.6, 0.1, 0.3}}}));
            assertEquals("0/1/2", cellOf(best), "layer 0, group 1, expert 2: 30% of the group, twice its overall");
        }

        /** The page's pick and TellingCell's agree on (layer, group, expert) and weight; returns the page's. */
        private JsonNode assertAgree(JsonNode firstChoice) {
            JsonNode cell = page.call("views/evidence.js", "m => m.mostTellingCell(" + firstChoice + ")");
            TellingCell java = TellingCell.all(JSON.convertValue(firstChoice, double[][][].class)).stream()
                    .max(Comparator.comparingDouble(TellingCell::weight)).orElseThrow();
            assertEquals(java.layer() + "/" + java.group() + "/" + java.expert(), cellOf(cell));
            // The page renormalises each group's row, which the JSON rounds to four decimals.
            assertEquals(java.weight(), cell.get("weight").asDouble(), 1e-4);
            return cell;
        }

        private static String cellOf(JsonNode cell) {
            return cell.get("layer").asInt() + "/" + cell.get("group").asInt() + "/" + cell.get("expert").asInt();
        }
    }
}
