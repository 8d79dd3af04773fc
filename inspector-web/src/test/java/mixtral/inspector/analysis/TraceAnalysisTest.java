package mixtral.inspector.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import mixtral.inspector.Fixtures;
import mixtral.inspector.analysis.Views.LayerDetail;
import mixtral.inspector.analysis.Views.Prediction;
import mixtral.inspector.analysis.Views.RoutingCell;
import mixtral.inspector.analysis.Views.RoutingSummary;
import mixtral.inspector.analysis.Views.TokenDetail;
import mixtral.inspector.engine.InspectedModel;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The views of a demo-model trace. Shape legend: T tokens, L layers, E experts, K experts per token. */
class TraceAnalysisTest {
    private static final double EPS = 1e-5;
    private static InspectedModel model;
    private static TraceAnalysis analysis;
    private static int tokens;
    private static Trace trace;

    @BeforeAll
    static void traceAPrompt() {
        model = Fixtures.demo();
        long[] ids = model.codec().encode("The router picks two experts. Le routeur choisit 😀.");
        tokens = ids.length;
        TraceRecorder rec = TraceRecorder.all(false);
        model.model().forward(ids, rec);
        trace = rec.toTrace(model.config());
        analysis = new TraceAnalysis(trace, model.config(), model.codec());
    }

    @Test
    void summaryHasOneRoutingCellPerLayerAndToken() {
        RoutingSummary s = analysis.summary("x");
        assertEquals(model.config().numHiddenLayers(), s.routing().size());
        s.routing().forEach(layer -> assertEquals(tokens, layer.size()));
        assertEquals(tokens, s.tokens().size());
    }

    @Test
    void routingWeightsAndRouterProbabilitiesEachSumToOne() {
        for (List<RoutingCell> layer : analysis.summary("x").routing()) {
            for (RoutingCell c : layer) {
                assertEquals(1.0, sum(c.weights()), EPS);
                assertEquals(1.0, sum(c.probs()), EPS);
                assertEquals(model.config().numExpertsPerTok(), c.experts().length);
            }
        }
    }

    @Test
    void chosenExpertsAreTheMostProbableInOrderOfWeight() {
        for (List<RoutingCell> layer : analysis.summary("x").routing()) {
            for (RoutingCell c : layer) {
                assertTrue(c.weights()[0] >= c.weights()[1]);
                float kth = c.probs()[c.experts()[c.experts().length - 1]];
                for (int e = 0; e < c.probs().length; e++) {
                    final int expert = e;
                    if (Arrays.stream(c.experts()).noneMatch(x -> x == expert)) {
                        assertTrue(c.probs()[e] <= kth, "unchosen expert " + e + " beats a chosen one");
                    }
                }
            }
        }
    }

    @Test
    void expertLoadSumsToTokensTimesKInEveryLayer() {
        RoutingSummary s = analysis.summary("x");
        assertEquals(model.config().numHiddenLayers(), s.load().size());
        for (int[] load : s.load()) {
            assertEquals(model.config().numLocalExperts(), load.length);
            assertEquals(tokens * model.config().numExpertsPerTok(), Arrays.stream(load).sum());
        }
    }

    /**
     * Each cell's margin is the weakest chosen expert's router logit minus the strongest unchosen one's, read from the
     * trace by expert identity rather than by sorting as the view does; near ties are the cells below the threshold.
     */
    @Test
    void marginsAreTheWeakestChosenMinusTheStrongestUnchosenLogitAndNearTiesAreTheSmallOnes() {
        List<List<RoutingCell>> routing = analysis.summary("x").routing();
        for (int l = 0; l < routing.size(); l++) {
            float[][] logits = trace.get(TensorNames.routerLogits(l)).toFloatMatrix();                 // [T, E]
            for (int t = 0; t < tokens; t++) {
                RoutingCell c = routing.get(l).get(t);
                assertNotNull(c.margin());
                assertEquals(Fixtures.weakestChosenMinusStrongestOther(logits[t], c.experts()), c.margin(), 1e-6,
                        "layer " + l + " token " + t);
                assertEquals(c.margin() < TraceAnalysis.NEAR_TIE_MARGIN, c.nearTie());
            }
        }
    }


    @Test
    void marginIsTheGapBetweenTheKthAndTheNextLogit() {
        assertEquals(1.5, TraceAnalysis.margin(new float[] {3f, 1f, 2.5f, 0f}, 2), 1e-6);   // 2.5 - 1
        assertEquals(0.0, TraceAnalysis.margin(new float[] {1f, 1f, 1f}, 2), 1e-6);
        assertNull(TraceAnalysis.margin(new float[] {1f, 2f}, 2), "K = E has no (K+1)-th logit");
    }

    @Test
    void normsCoverTheThreeStreamsForEveryLayerAndToken() {
        RoutingSummary s = analysis.summary("x");
        assertEquals(List.of("resid_post", "attn.out", "moe.out"), List.copyOf(s.norms().keySet()));
        s.norms().values().forEach(rows -> {
            assertEquals(model.config().numHiddenLayers(), rows.size());
            rows.forEach(r -> {
                assertEquals(tokens, r.length);
                for (float v : r) {
                    assertTrue(v > 0 && Float.isFinite(v));
                }
            });
        });
    }

    @Test
    void tokenDetailAgreesWithTheRoutingMapAndHasALogitLensPerLayer() {
        int position = 3;
        TokenDetail d = analysis.token("x", position, model.model());
        assertEquals(position, d.token().position());
        assertEquals(model.config().numHiddenLayers(), d.layers().size());
        for (LayerDetail l : d.layers()) {
            RoutingCell cell = analysis.routingOf(l.layer()).get(position);
            assertArrayEquals(cell.experts(), l.experts());
            assertEquals(model.config().numLocalExperts(), l.logits().length);
            assertEquals(TraceAnalysis.TOP, l.logitLens().size());
            assertTrue(l.residNorm() > 0);
            assertDescending(l.logitLens());
        }
    }

    @Test
    void theLastLayersLogitLensIsTheModelsOwnPrediction() {
        int last = tokens - 1;
        TokenDetail d = analysis.token("x", last, model.model());
        List<Prediction> lens = d.layers().get(d.layers().size() - 1).logitLens();
        assertEquals(d.next().get(0).id(), lens.get(0).id());
        assertEquals(d.next().get(0).prob(), lens.get(0).prob(), 1e-4);
    }

    @Test
    void nextTokenPredictionsAreTheTopFiveByProbability() {
        List<Prediction> next = analysis.nextTokens();
        assertEquals(TraceAnalysis.TOP, next.size());
        assertDescending(next);
        next.forEach(p -> assertTrue(p.prob() > 0 && p.prob() <= 1));
    }

    private static void assertDescending(List<Prediction> ps) {
        for (int i = 1; i < ps.size(); i++) {
            assertTrue(ps.get(i - 1).prob() >= ps.get(i).prob(), "not sorted: " + ps);
        }
    }

    private static double sum(float[] xs) {
        double s = 0;
        for (float x : xs) {
            s += x;
        }
        return s;
    }
}
