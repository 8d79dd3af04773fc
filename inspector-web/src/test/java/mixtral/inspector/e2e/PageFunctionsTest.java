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
        void textOnEveryExpertColourHasAtLeastThreeToOneContrast() {
            JsonNode worst = page.call("colors.js", "m => { " + CONTRAST + " return Math.min(...[8, 10].flatMap(E =>"
                    + " { const c = m.expertColors(E); return d3.range(E).map(e => contrast(c(e), m.textOn(c(e)))); })); }");
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
    class ColourBlindness {
        /** Smallest CIELAB ΔE between two expert colours that a dichromat must still see; Tableau 10 has 0.9. */
        static final double MIN_DELTA_E = 15;

        @Test
        void everyPairOfTheEightExpertColoursStaysApartUnderDeuteranopiaAndProtanopia() {
            JsonNode r = page.call("colors.js", "m => { const c = d3.range(8).map(m.expertColors(8));"
                    + " return [m.closestPair(c), m.closestPair(c, m.CVD.deuteranopia), m.closestPair(c, m.CVD.protanopia)]; }");
            for (JsonNode d : r) {
                assertTrue(d.asDouble() >= MIN_DELTA_E, "closest pair (normal, deuteranopia, protanopia): " + r);
            }
        }

        @Test
        void theCheckRejectsTableauTensRedAndGreen() {
            // The palette the page had before: its experts 2 and 4 (red, green) look alike to a deuteranope.
            JsonNode r = page.call("colors.js", "m => { const c = d3.schemeTableau10.slice(0, 8);"
                    + " return [m.closestPair(c), m.closestPair(c, m.CVD.deuteranopia),"
                    + " m.deltaE(m.simulate(c[2], m.CVD.deuteranopia), m.simulate(c[4], m.CVD.deuteranopia))]; }");
            assertTrue(r.get(0).asDouble() >= MIN_DELTA_E, "apart for normal vision: " + r);
            assertTrue(r.get(1).asDouble() < MIN_DELTA_E, "rejected under deuteranopia: " + r);
            assertTrue(r.get(2).asDouble() < 3, "red and green alike: " + r);
        }

        @Test
        void theSimulationMatchesMachadosPublishedDeuteranopeView() {
            // Pure red through Machado's matrix: linear (0.367, 0.280, -0.012) -> sRGB about (163, 144, 0); grey stays grey.
            JsonNode r = page.call("colors.js", "m => [m.simulate('#ff0000', m.CVD.deuteranopia),"
                    + " m.simulate('#808080', m.CVD.protanopia)]");
            JsonNode rgb = page.call("colors.js", "m => { const c = d3.rgb(m.simulate('#ff0000', m.CVD.deuteranopia));"
                    + " return [c.r, c.g, c.b]; }");
            assertEquals(163, rgb.get(0).asInt(), 2, r.toString());
            assertEquals(144, rgb.get(1).asInt(), 2, r.toString());
            assertEquals(0, rgb.get(2).asInt(), 1, r.toString());
            assertEquals("#808080", r.get(1).asText());
        }
    }

    @Nested
    class Scale {
        @Test
        void attentionCellsFitThePanelDownToOnePixel() {
            JsonNode r = page.call("layout.js", "m => [m.attentionCell(1400, 512, 96), m.attentionCell(1400, 10, 96),"
                    + " m.attentionCell(300, 5000, 96), m.attentionCell(1400, 100, 96)]");
            assertEquals(2, r.get(0).asInt(), "512 tokens in 1400 - 96 - 24 px");
            assertEquals(28, r.get(1).asInt());
            assertEquals(1, r.get(2).asInt());
            assertEquals(12, r.get(3).asInt(), "floored: 1280 / 100 is 12.8");
        }

        @Test
        void axisLabelsAreAtLeastTwelvePixelsApart() {
            JsonNode r = page.call("layout.js", "m => [1, 2, 5, 12, 13, 28].map(cw => m.labelEvery(cw))");
            assertEquals("[12,6,3,1,1,1]", r.toString());
        }

        @Test
        void aPointFindsItsCellAndNothingOutsideTheGrid() {
            JsonNode r = page.call("layout.js", "m => [m.cellAt(33, 45, 16, 22, 10, 6), m.cellAt(-1, 5, 16, 22, 10, 6),"
                    + " m.cellAt(160, 5, 16, 22, 10, 6), m.cellAt(159.9, 131.9, 16, 22, 10, 6)]");
            assertEquals("{\"column\":2,\"row\":2}", r.get(0).toString());
            assertTrue(r.get(1).isNull() && r.get(2).isNull(), r.toString());
            assertEquals("{\"column\":9,\"row\":5}", r.get(3).toString());
        }

        @Test
        void arrowsMoveOneCellAndStopAtTheEdges() {
            JsonNode r = page.call("layout.js", "m => { const c = { token: 0, layer: 0 }; return [m.moveCursor(c, 'ArrowLeft', 5, 3),"
                    + " m.moveCursor(c, 'ArrowRight', 5, 3), m.moveCursor({ token: 4, layer: 2 }, 'ArrowDown', 5, 3),"
                    + " m.moveCursor({ token: 2, layer: 2 }, 'ArrowUp', 5, 3), m.moveCursor(c, 'End', 5, 3), m.moveCursor(c, 'x', 5, 3)]; }");
            assertEquals("{\"token\":0,\"layer\":0}", r.get(0).toString());
            assertEquals("{\"token\":1,\"layer\":0}", r.get(1).toString());
            assertEquals("{\"token\":4,\"layer\":2}", r.get(2).toString());
            assertEquals("{\"token\":2,\"layer\":1}", r.get(3).toString());
            assertEquals("{\"token\":4,\"layer\":0}", r.get(4).toString());
            assertTrue(r.get(5).isNull(), "other keys are not the map's");
        }

        @Test
        void aSelectedTokenIsBroughtIntoViewInEveryViewMovingAsLittleAsPossible() {
            // Two views: 16 px columns after 44 px in 500 px, 20 px columns after 74 px in 300 px.
            JsonNode r = page.call("layout.js", "m => { const v = [{ cw: 16, left: 44, width: 500 }, { cw: 20, left: 74, width: 300 }];"
                    + " return [m.keepInView(0, 3, v), m.keepInView(0, 100, v), m.keepInView(150, 100, v), m.keepInView(90, 100, v)]; }");
            assertEquals(0, r.get(0).asDouble(), 1e-9, "already in view: no move");
            // Token 100 ends at 74 + 101 * 20 = 2094 px in the narrow view, which shows 300: first >= 89.7.
            assertEquals((74 + 101 * 20 - 300) / 20.0, r.get(1).asDouble(), 1e-9, "scrolled just far enough");
            assertEquals(44 / 16.0 + 100, r.get(2).asDouble(), 1e-9, "scrolled back just far enough");
            assertEquals(90, r.get(3).asDouble(), 1e-9, "in view in both: stays");
        }

        @Test
        void theRoutingImageHasTheFirstChoiceTheStripeTheTieMarkAndAGap() {
            JsonNode r = page.call("raster.js", "async m => { const { stripes } = await import('/js/layout.js');"
                    + " const w = 2 * 16, h = 22, px = new Uint8ClampedArray(w * h * 4);"
                    + " const rgb = [[200, 0, 0], [0, 0, 200], [0, 150, 0]];"
                    + " m.paintRouting(px, w, [[{ experts: [0, 1], nearTie: false }, { experts: [2, 0], nearTie: true }]], 16, h, e => rgb[e], stripes);"
                    + " const at = (x, y) => Array.from(px.slice((y * w + x) * 4, (y * w + x) * 4 + 4));"
                    + " return { fill: at(4, 5), stripe: at(7, 16), gap: at(15, 5), second: at(20, 5), secondStripe: at(22, 16),"
                    + " tie: at(16 + 11, 3), tieRing: at(16 + 9, 1) }; }");
            assertEquals("[200,0,0,255]", r.get("fill").toString());
            assertEquals("[0,0,200,255]", r.get("stripe").toString(), "second choice along the bottom");
            assertEquals("[0,0,0,0]", r.get("gap").toString(), "1 px between columns");
            assertEquals("[0,150,0,255]", r.get("second").toString());
            assertEquals("[200,0,0,255]", r.get("secondStripe").toString());
            assertEquals("[255,255,255,255]", r.get("tie").toString(), "near tie: a white square");
            assertEquals("[17,17,17,255]", r.get("tieRing").toString(), "framed in black");
        }

        @Test
        void theAttentionImageLooksUpEachProbabilityAndMasksLaterKeys() {
            JsonNode r = page.call("raster.js", "m => { const table = new Uint8ClampedArray([0, 0, 0, 100, 100, 100, 250, 250, 250]);"
                    + " const px = new Uint8ClampedArray(2 * 2 * 2 * 2 * 4);"
                    + " m.paintAttention(px, [[1, 0], [0.2, 0.8]], 2, table, [9, 8, 7]);"
                    + " const at = (x, y) => Array.from(px.slice((y * 4 + x) * 4, (y * 4 + x) * 4 + 3));"
                    + " return [at(1, 1), at(3, 0), at(2, 3), at(0, 2), at(3, 3)]; }");
            assertEquals("[250,250,250]", r.get(0).toString(), "query 0 on key 0: 1 -> the last entry");
            assertEquals("[9,8,7]", r.get(1).toString(), "query 0 on key 1: masked");
            assertEquals("[250,250,250]", r.get(2).toString(), "0.8 rounds to the last of three entries");
            assertEquals("[0,0,0]", r.get(3).toString(), "0.2 rounds to the first");
            assertEquals("[250,250,250]", r.get(4).toString());
        }
    }

    @Nested
    class Analyses {
        @Test
        void entropyIsTheServersValueNotOneTheScriptRecomputes() {
            // probs [0.5, 0.5] are 1 bit; a page computing its own would show 1 instead of the served 0.25
            JsonNode r = page.call("analysis.js", "m => m.routingEntropy([[{ probs: [0.5, 0.5], entropy: 0.25 },"
                    + " { probs: [1, 0], entropy: 0 }]])");
            assertEquals("[[0.25,0]]", r.toString());
        }

        @Test
        void coActivationCountsPairsSymmetricallyWithTheLoadOnTheDiagonal() {
            JsonNode m = page.call("analysis.js", "m => m.coActivation([{ experts: [0, 2] }, { experts: [2, 0] },"
                    + " { experts: [1, 2] }], 3)");
            assertEquals("[[2,0,2],[0,1,1],[2,1,3]]", m.toString(), "order of choice does not matter");
        }

        @Test
        void anExpertsTokensCarryTheRankOfTheirChoice() {
            JsonNode r = page.call("analysis.js", "m => m.tokensOf([{ experts: [3, 1] }, { experts: [0, 2] },"
                    + " { experts: [1, 3] }], 3)");
            assertEquals("[{\"token\":0,\"rank\":0},{\"token\":2,\"rank\":1}]", r.toString());
        }
    }

    @Nested
    class LayerChoice {
        @Test
        void aModelOfUpToEightLayersShowsThemAllAndADeeperOneItsFirstAndLastFour() {
            JsonNode r = page.call("layerChoice.js", "m => [m.defaultLayers(6), m.defaultLayers(8), m.defaultLayers(32)]");
            assertEquals("[[0,1,2,3,4,5],[0,1,2,3,4,5,6,7],[0,1,2,3,28,29,30,31]]", r.toString());
        }

        @Test
        void typedLayersAndRangesComeBackAscendingAndOnceEach() {
            JsonNode r = page.call("layerChoice.js", "m => [m.parseLayers('31, 0-3, 2', 32), m.parseLayers(' 4 ,1', 6),"
                    + " m.parseLayers('ALL', 6), m.parseLayers('', 32), m.parseLayers(' , ', 6), m.parseLayers('5-5', 6)]");
            assertEquals("[[0,1,2,3,31],[1,4],[0,1,2,3,4,5],[0,1,2,3,28,29,30,31],[0,1,2,3,4,5],[5]]", r.toString());
        }

        @Test
        void aLayerPastTheLastABackwardRangeOrAWordIsRefusedByName() {
            JsonNode r = page.call("layerChoice.js", "m => ['1, 6', '3-1', 'two', '-1', '1.5', '0-'].map(t => {"
                    + " try { return m.parseLayers(t, 6); } catch (e) { return e.message; } })");
            assertEquals(6, r.size());
            String[] parts = {"6", "3-1", "two", "-1", "1.5", "0-"};
            for (int i = 0; i < parts.length; i++) {
                assertEquals("layers: “" + parts[i] + "” is not a layer or a range of layers 0 to 5 (e.g. 0-3, 5)",
                        r.get(i).asText(), "input " + i);
            }
        }

        @Test
        void writtenLayersAreRunsThatParseBackToTheSameLayers() {
            JsonNode r = page.call("layerChoice.js", "m => { const l = [0, 1, 2, 3, 5, 28, 29, 31];"
                    + " return [m.formatLayers(l), m.parseLayers(m.formatLayers(l), 32)]; }");
            assertEquals("\"0-3,5,28-29,31\"", r.get(0).toString());
            assertEquals("[0,1,2,3,5,28,29,31]", r.get(1).toString());
        }
    }

    @Nested
    class Export {
        @Test
        void csvQuotesFieldsWithCommasQuotesAndLineBreaksOnly() {
            JsonNode r = page.call("export.js", "m => m.toCsv([['token', 'n'], ['a,b', 1], ['say \"hi\"', 2],"
                    + " ['two\\nlines', null], ['plain', [3, 5]]])");
            assertEquals("token,n\r\n\"a,b\",1\r\n\"say \"\"hi\"\"\",2\r\n\"two\nlines\",\r\nplain,3 5\r\n", r.asText());
        }

        @Test
        void fileNamesAreLowerCaseWordsJoinedByDashes() {
            JsonNode r = page.call("export.js", "m => m.fileName('Router heatmap, layer 3!', 'png')");
            assertEquals("router-heatmap-layer-3.png", r.asText());
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
