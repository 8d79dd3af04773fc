package mixtral.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mixtral.compare.Report.LayerRouting;
import mixtral.compare.TraceComparison.Options;
import mixtral.model.Intervention;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Traces of another K (a what-if of --top-k): expert sets compared as sets, so each token's set is changed and never a
 * tie; routing weights reported as not comparable, never passed; every other tensor compared as usual.
 */
class OtherKComparisonTest {
    private static final Trace A = Traces.TRACE;
    private static final Trace K3 = Traces.traceOf(Traces.TOKENS, Intervention.NONE.withTopK(3));
    private static final int LAYERS = Traces.CONFIG.numHiddenLayers();
    private static final int T = Traces.TOKENS.length;
    /** A tie margin far above every router margin: nothing a K change does may hide behind it. */
    private static final Tolerances LOOSE_TIES = new Tolerances(1e-4, 1e-4, 1e6);

    @Test
    void theSameKComparesAsBefore() {
        Report r = TraceComparison.compare(A, A, Tolerances.DEFAULT);
        assertTrue(r.passed());
        assertTrue(r.notComparable().isEmpty());
        for (LayerRouting l : r.routing()) {
            assertEquals(2, l.kExpected());
            assertEquals(2, l.kActual());
            assertEquals(l.tokens(), l.nested(), "the same set is nested in itself");
        }
        Report flip = TraceComparison.compare(A, Traces.flipSecondChoice(A, 0, 2), Tolerances.DEFAULT);
        assertEquals(T - 1, flip.routing().get(0).nested(), "a replaced expert is no nesting");
    }

    @Test
    void topThreeAgainstTopTwoChangesEveryTokensSetAtEveryLayer() {
        Report r = TraceComparison.compare(A, K3, LOOSE_TIES);
        assertFalse(r.passed());
        assertEquals(LAYERS, r.routing().size());
        for (LayerRouting l : r.routing()) {
            assertEquals(2, l.kExpected());
            assertEquals(3, l.kActual());
            assertEquals(0, l.sameExperts(), "layer " + l.layer());
        }
        assertEquals(T, r.routing().get(0).nested(), "layer 0 sees the same inputs: its top 3 holds its top 2");
        assertEquals(LAYERS * T, r.flips().size());
        assertTrue(r.flips().stream().noneMatch(Report.Flip::tie), "another K is never a tie");
        assertTrue(r.flips().stream().allMatch(f -> f.actualExperts().length == 3 && f.expectedExperts().length == 2));
        assertTrue(r.logits().meanKl() > 0, "a third expert changes the next-token distribution");
        assertEquals(TensorNames.selectedExperts(0), r.first().tensor());
        assertEquals(0, r.first().token());
        assertTrue(r.first().what().contains("K differs: A 2, B 3"), r.first().what());
    }

    @Test
    void routingWeightsOfAnotherKAreNotComparableAndEverythingElseIsCompared() {
        Report r = TraceComparison.compare(A, K3, Tolerances.DEFAULT);
        assertEquals(LAYERS, r.notComparable().size());
        for (int l = 0; l < LAYERS; l++) {
            String name = TensorNames.routingWeights(l);
            assertTrue(r.notComparable().stream().anyMatch(n -> n.name().equals(name)
                    && n.reason().equals("K differs: A [8, 2], B [8, 3]")), r.notComparable().toString());
            assertTrue(r.tensors().stream().noneMatch(d -> d.name().equals(name)), "not also reported as a diff");
        }
        assertEquals(3 + 10 * 2 - LAYERS, r.tensors().size(), "every other float tensor compared");
        assertTrue(Traces.diff(r, TensorNames.EMBED).within(), "before the first MoE nothing changes");
        assertFalse(Traces.diff(r, TensorNames.moeOut(0)).within());
    }

    /** A's set plus one more expert is a changed set, not the same one, even where A's margin is tiny. */
    @Test
    void aSupersetOfAsSetCountsAsChanged() {
        long[][] e = A.get(TensorNames.selectedExperts(0)).toLongMatrix();
        long[][] plusOne = new long[T][];
        for (int t = 0; t < T; t++) {
            plusOne[t] = new long[] {e[t][0], e[t][1], Traces.runnerUp(A, 0, t)};
        }
        Trace b = Traces.replaced(Traces.replaced(A, TensorNames.selectedExperts(0), Nd4j.createFromArray(plusOne)),
                TensorNames.routingWeights(0), Nd4j.zeros(DataType.FLOAT, T, 3));
        Report r = TraceComparison.compare(A, b, LOOSE_TIES);
        assertFalse(r.passed());
        assertEquals(0, r.routing().get(0).sameExperts());
        assertEquals(T, r.routing().get(0).nested(), "each change only added an expert");
        assertEquals(T, r.routing().get(1).sameExperts(), "layer 1 untouched");
        assertEquals(T, r.flips().size());
        assertTrue(r.flips().stream().noneMatch(Report.Flip::tie));
        assertEquals(List.of(TensorNames.routingWeights(0)), r.notComparable().stream().map(Report.NotComparable::name).toList());
    }

    @Test
    void theFirstDivergenceIsStillFoundBeforeTheKChange() {
        Trace b = Traces.edited(K3, TensorNames.attnOut(0), a -> a.putScalar(4, 1, a.getDouble(4, 1) + 0.5));
        Report r = TraceComparison.compare(A, b, Tolerances.DEFAULT);
        assertEquals(TensorNames.attnOut(0), r.first().tensor());
        assertEquals(4, r.first().token());
    }

    /** Weights of another K with no expert sets beside them: still a divergence, never a silent pass. */
    @Test
    void aNotComparableTensorAloneFails() {
        INDArray wide = Nd4j.zeros(DataType.FLOAT, T, 3);
        Trace a = Traces.only(A, TensorNames.routingWeights(0), TensorNames.LOGITS);
        Trace b = Traces.replaced(a, TensorNames.routingWeights(0), wide);
        Report r = TraceComparison.compare(a, b, Tolerances.DEFAULT);
        assertFalse(r.passed());
        assertEquals(TensorNames.routingWeights(0), r.first().tensor());
        assertTrue(r.first().what().startsWith("not comparable: K differs"), r.first().what());
    }

    /** With the model, B's three experts are replayed: B matches that run, and each decision is one K=2 would not make. */
    @Test
    void withTheModelEveryDecisionOfAnotherKIsWrongAndTheTensorsMatchTheReplay() {
        Report r = TraceComparison.compare(A, K3, Tolerances.DEFAULT, new Options(List.of(), Traces.MODEL));
        assertFalse(r.passed());
        assertEquals(LAYERS * T, r.wrongDecisions().size());
        assertEquals("B chooses 3 experts, the reference 2", r.wrongDecisions().get(0).reason());
        assertTrue(r.notComparable().isEmpty(), "the replayed baseline has B's K");
        assertTrue(r.tensors().stream().allMatch(Report.TensorDiff::within), r.first().toString());
        assertTrue(r.first().what().contains("B chooses 3 experts, the reference 2"), r.first().what());
    }
}
