package mixtral.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mixtral.BadInputException;
import mixtral.compare.TraceComparison.Options;
import mixtral.model.Intervention;
import mixtral.model.MixtralModel;
import mixtral.model.TinyConfigs;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.weights.RandomWeights;
import org.junit.jupiter.api.Test;

/** With the model, B's routing is replayed through the reference: a real tie passes, a bug behind or in routing fails. */
class ReplayComparisonTest {
    private static final Trace A = Traces.TRACE;
    private static final Options WITH_MODEL = new Options(List.of(), Traces.MODEL);

    /** A real tie: the reference itself, forced to the runner-up at the smallest-margin token of layer 0. */
    private static Trace realTie(int token) {
        int k = Traces.CONFIG.numExpertsPerTok();
        int[] chosen = new int[k];
        long[] chosenBefore = A.get(TensorNames.selectedExperts(0)).toLongMatrix()[token];
        for (int j = 0; j < k - 1; j++) {
            chosen[j] = (int) chosenBefore[j];
        }
        chosen[k - 1] = Traces.runnerUp(A, 0, token);
        return Traces.traceOf(Traces.TOKENS, Intervention.NONE.withForced(0, token, chosen));
    }

    @Test
    void aRealTiePassesWithTheModelAndFailsWithoutIt() {
        int t = Traces.smallestMarginToken(A, 0);
        Tolerances tol = Traces.tieTolerances(A, 0, t);
        Trace b = realTie(t);

        Report without = TraceComparison.compare(A, b, tol);
        assertFalse(without.passed(), "the tie changes moe.out at that token; only a replay can tell it is explained");
        assertTrue(without.flips().stream().anyMatch(f -> f.layer() == 0 && f.token() == t && f.tie()));
        assertTrue(without.hint().contains("--model"), without.hint());

        Report with = TraceComparison.compare(A, b, tol, WITH_MODEL);
        assertTrue(with.passed(), () -> "first divergence " + with.first());
        assertEquals(TraceComparison.REPLAY_BASELINE, with.baseline());
        assertTrue(with.wrongDecisions().isEmpty());
        assertTrue(with.flips().stream().filter(f -> f.layer() == 0).allMatch(Report.Flip::tie));
    }

    /** The first false pass again: corruption behind a real tie is caught strictly after the replay. */
    @Test
    void corruptionBehindARealTieFailsWithTheModel() {
        int t = Traces.smallestMarginToken(A, 0);
        Trace b = Traces.corruptFrom(realTie(t), 1);
        Report r = TraceComparison.compare(A, b, new Tolerances(1e-2, 1e-2, Math.max(1e-2, 2 * Traces.margin(A, 0, t))),
                WITH_MODEL);
        assertFalse(r.passed());
        assertEquals(TensorNames.moeOut(1), r.first().tensor());
        assertNull(r.hint());
    }

    /** An engine whose routing is wrong but whose outputs are consistent with its own wrong routing. */
    @Test
    void aWrongRoutingDecisionFailsEvenWhenTheOutputsFollowIt() {
        int t = 4;
        double margin = Traces.margin(A, 1, t);
        long[] chosen = A.get(TensorNames.selectedExperts(1)).toLongMatrix()[t];
        int worst = mixtral.model.Routing.topK(A.get(TensorNames.routerLogits(1)).toFloatMatrix()[t], 8)[7];
        Trace b = Traces.traceOf(Traces.TOKENS, Intervention.NONE.withForced(1, t, (int) chosen[0], worst));
        Tolerances tol = new Tolerances(1e-4, 1e-4, margin / 2);
        Report r = TraceComparison.compare(A, b, tol, WITH_MODEL);
        assertFalse(r.passed());
        assertEquals(1, r.wrongDecisions().size());
        Report.Decision d = r.wrongDecisions().get(0);
        assertEquals(1, d.layer());
        assertEquals(t, d.token());
        assertTrue(d.shortfall() > margin, "the worst expert is farther below the K-th logit than the margin");
        assertEquals(TensorNames.selectedExperts(1), r.first().tensor());
        assertTrue(r.tensors().stream().allMatch(Report.TensorDiff::within), "its outputs do follow its routing");
    }

    /** Softmax over all experts without renormalising over the chosen ones: a plausible bug in the weights. */
    @Test
    void unnormalisedRoutingWeightsFailAfterReplay() {
        Trace b = A;
        for (int l = 0; l < Traces.CONFIG.numHiddenLayers(); l++) {
            int layer = l;
            b = Traces.edited(b, TensorNames.routingWeights(l), w -> {
                long[][] sel = A.get(TensorNames.selectedExperts(layer)).toLongMatrix();
                float[][] probs = A.get(TensorNames.routerProbs(layer)).toFloatMatrix();
                for (int t = 0; t < sel.length; t++) {
                    for (int j = 0; j < sel[t].length; j++) {
                        w.putScalar(t, j, probs[t][(int) sel[t][j]]);
                    }
                }
            });
        }
        Report r = TraceComparison.compare(A, b, Tolerances.DEFAULT, WITH_MODEL);
        assertFalse(r.passed());
        assertEquals(TensorNames.routingWeights(0), r.first().tensor());
    }

    @Test
    void replayingAnUnchangedTraceIsExactlyTheReference() {
        Report r = TraceComparison.compare(A, A, new Tolerances(0, 0, 0), WITH_MODEL);
        assertTrue(r.passed(), () -> "first divergence " + r.first());
        assertEquals(0.0, r.tensors().stream().mapToDouble(Report.TensorDiff::maxAbsError).max().orElseThrow());
    }

    @Test
    void anEngineThatRecordsNoRoutingIsHeldToThePlainReference() {
        Trace logitsOnly = Traces.only(A, TensorNames.TOKENS, TensorNames.LOGITS);
        assertTrue(TraceComparison.compare(A, logitsOnly, Tolerances.DEFAULT, WITH_MODEL).passed());
        Trace off = Traces.edited(logitsOnly, TensorNames.LOGITS, a -> a.addi(1e-2));
        assertFalse(TraceComparison.compare(A, off, Tolerances.DEFAULT, WITH_MODEL).passed());
    }

    @Test
    void aModelOtherThanTheOneATraceWasMadeWithIsRefused() {
        MixtralModel other = MixtralModel.load(new RandomWeights(TinyConfigs.with(Traces.CONFIG, 4, 1, 2, null), 7));
        BadInputException e = assertThrows(BadInputException.class,
                () -> TraceComparison.compare(A, A, Tolerances.DEFAULT, new Options(List.of(), other)));
        assertTrue(e.getMessage().contains("not the one trace A was made with"), e.getMessage());
    }
}
