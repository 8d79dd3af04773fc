package mixtral.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mixtral.BadInputException;
import mixtral.compare.TraceComparison.Options;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** The comparison's verdicts on traces that agree, and on the broken traces it must reject. */
class TraceComparisonTest {
    private static final Trace TRACE = Traces.TRACE;

    @Test
    void aTraceAgreesWithItself() {
        Report r = TraceComparison.compare(TRACE, TRACE, Tolerances.DEFAULT);
        assertTrue(r.passed());
        assertNull(r.first());
        assertNull(r.hint());
        assertEquals(1.0, r.logits().top1Agreement());
        assertEquals(3 + 10 * 2, r.tensors().size(), "every float tensor compared");
    }

    @Test
    void aPerturbedTensorIsTheFirstDivergenceWithItsToken() {
        Trace bad = Traces.edited(TRACE, TensorNames.moeOut(1), a -> a.putScalar(5, 3, a.getDouble(5, 3) + 0.01));
        Report r = TraceComparison.compare(TRACE, bad, Tolerances.DEFAULT);
        assertFalse(r.passed());
        assertEquals(TensorNames.moeOut(1), r.first().tensor());
        assertEquals(1, r.first().layer());
        assertEquals(5, r.first().token());
        assertEquals(0.01, Traces.diff(r, TensorNames.moeOut(1)).maxAbsError(), 1e-6);
    }

    @Test
    void aFlipWithALargeMarginFails() {
        Trace flipped = Traces.flipSecondChoice(TRACE, 0, 2);
        Report r = TraceComparison.compare(TRACE, flipped, Tolerances.DEFAULT);
        assertFalse(r.passed());
        assertEquals(1, r.flips().size());
        assertFalse(r.flips().get(0).tie());
        assertEquals(TensorNames.selectedExperts(0), r.first().tensor());
        assertEquals(2, r.first().token());
    }

    @Test
    void aTieExcusesOnlyThatTokensRoutingEntriesAtThatLayer() {
        int t = Traces.smallestMarginToken(TRACE, 0);
        Tolerances tol = Traces.tieTolerances(TRACE, 0, t);
        Trace flipped = Traces.flipSecondChoice(TRACE, 0, t);
        Report tie = TraceComparison.compare(TRACE, flipped, tol);
        assertTrue(tie.passed(), "the flip alone, outputs untouched");
        assertTrue(tie.flips().get(0).tie());
        assertEquals(1, Traces.diff(tie, TensorNames.routingWeights(0)).excusedTokens());

        int other = (t + 1) % 8;
        Trace weightsOffElsewhere = Traces.edited(flipped, TensorNames.routingWeights(0), a -> a.putScalar(other, 0, 0.5));
        assertFalse(TraceComparison.compare(TRACE, weightsOffElsewhere, tol).passed(), "another token's weights");
        Trace nextLayerOff = Traces.edited(flipped, TensorNames.routingWeights(1), a -> a.putScalar(t, 0, 0.5));
        assertFalse(TraceComparison.compare(TRACE, nextLayerOff, tol).passed(), "the same token at another layer");
    }

    /** The first false pass: a tie at layer 0, then everything from the last layer's moe.out corrupted. */
    @Test
    void corruptionAfterATieFailsWithAHintToReplay() {
        int t = Traces.smallestMarginToken(TRACE, 0);
        Tolerances bf16 = new Tolerances(1e-2, 1e-2, Math.max(1e-2, 2 * Traces.margin(TRACE, 0, t)));
        Trace broken = Traces.corruptFrom(Traces.flipSecondChoice(TRACE, 0, t), 1);
        Report r = TraceComparison.compare(TRACE, broken, bf16);
        assertFalse(r.passed());
        assertEquals(TensorNames.moeOut(1), r.first().tensor());
        assertNotNull(r.hint());
        assertTrue(r.hint().contains("--model"), r.hint());
        assertTrue(r.logits().meanKl() > 0.1, "the corruption is visible in the logits: " + r.logits().meanKl());
    }

    /** The second false pass: |a - e| <= atol + rtol * |e| holds for any finite a when e is infinite. */
    @Test
    void anInfiniteExpectedValuePassesOnlyTheSameInfinity() {
        Trace inf = Traces.edited(TRACE, TensorNames.moeOut(0), a -> a.putScalar(3, 4, Double.POSITIVE_INFINITY));
        Report againstFinite = TraceComparison.compare(inf, TRACE, new Tolerances(1e-2, 1e-2, 1e-4));
        assertFalse(againstFinite.passed());
        Report.TensorDiff d = Traces.diff(againstFinite, TensorNames.moeOut(0));
        assertEquals(1, d.nonFiniteExpected());
        assertEquals(1, d.nonFiniteMismatches());
        assertEquals(3, d.firstBadToken());
        assertTrue(ReportPrinter.status(d).startsWith("DIVERGES"), ReportPrinter.status(d));

        assertTrue(TraceComparison.compare(inf, inf, Tolerances.DEFAULT).passed(), "the same Inf at the same place");
        Trace minusInf = Traces.edited(TRACE, TensorNames.moeOut(0), a -> a.putScalar(3, 4, Double.NEGATIVE_INFINITY));
        assertFalse(TraceComparison.compare(inf, minusInf, Tolerances.DEFAULT).passed(), "-Inf is not +Inf");
    }

    @Test
    void nanAgreesOnlyWithNanAtTheSamePlace() {
        Trace nan = Traces.edited(TRACE, TensorNames.LOGITS, a -> a.putScalar(1, 7, Double.NaN));
        assertFalse(TraceComparison.compare(TRACE, nan, Tolerances.DEFAULT).passed(), "NaN in B only");
        assertFalse(TraceComparison.compare(nan, TRACE, Tolerances.DEFAULT).passed(), "NaN in A only");
        assertTrue(TraceComparison.compare(nan, nan, Tolerances.DEFAULT).passed());
        Trace elsewhere = Traces.edited(TRACE, TensorNames.LOGITS, a -> a.putScalar(2, 7, Double.NaN));
        assertFalse(TraceComparison.compare(nan, elsewhere, Tolerances.DEFAULT).passed(), "NaN at another place");
    }

    /** The third false pass: nothing compared was reported as a pass. */
    @Test
    void tracesWithNoTensorInCommonAreAnError() {
        Trace onlyLogits = Traces.only(TRACE, TensorNames.TOKENS, TensorNames.LOGITS);
        Trace onlyEmbed = Traces.only(TRACE, TensorNames.TOKENS, TensorNames.EMBED);
        BadInputException e = assertThrows(BadInputException.class,
                () -> TraceComparison.compare(onlyLogits, onlyEmbed, Tolerances.DEFAULT));
        assertTrue(e.getMessage().contains("no tensor in common"), e.getMessage());
        assertThrows(BadInputException.class, () -> TraceComparison.compare(
                Traces.only(TRACE, TensorNames.TOKENS), Traces.only(TRACE, TensorNames.TOKENS), Tolerances.DEFAULT));
    }

    @Test
    void aRequiredTensorMissingFromEitherTraceFails() {
        Trace noLogits = Traces.without(TRACE, TensorNames.LOGITS);
        assertTrue(TraceComparison.compare(TRACE, noLogits, Tolerances.DEFAULT).passed(), "subsets are allowed");
        Report r = TraceComparison.compare(TRACE, noLogits, Tolerances.DEFAULT, new Options(List.of("logits"), null));
        assertFalse(r.passed());
        assertEquals(List.of("logits (not in B)"), r.missing());
        Report none = TraceComparison.compare(TRACE, TRACE, Tolerances.DEFAULT, new Options(List.of("layers.*.nothing"), null));
        assertFalse(none.passed(), "a requirement nothing meets is not met");
    }

    @Test
    void aShapeMismatchIsNeverOk() {
        Trace wrong = Traces.replaced(TRACE, TensorNames.EMBED, Nd4j.zeros(8, 23));
        Report r = TraceComparison.compare(TRACE, wrong, Tolerances.DEFAULT);
        assertFalse(r.passed());
        assertTrue(ReportPrinter.status(Traces.diff(r, TensorNames.EMBED)).startsWith("DIVERGES"));
    }

    @Test
    void routingWeightsAreComparedExpertByExpert() {
        Trace swapped = Traces.edited(Traces.edited(TRACE, TensorNames.selectedExperts(1), Traces::swapColumns),
                TensorNames.routingWeights(1), Traces::swapColumns);
        assertTrue(TraceComparison.compare(TRACE, swapped, Tolerances.DEFAULT).passed());
        Trace onlyExpertsSwapped = Traces.edited(TRACE, TensorNames.selectedExperts(1), Traces::swapColumns);
        assertFalse(TraceComparison.compare(TRACE, onlyExpertsSwapped, Tolerances.DEFAULT).passed(),
                "weights no longer belong to their experts");
    }

    @Test
    void tracesOfDifferentTokensCannotBeCompared() {
        Trace other = Traces.traceOf(new long[] {3, 17, 42, 8, 8, 0, 49, 24});
        BadInputException e = assertThrows(BadInputException.class,
                () -> TraceComparison.compare(TRACE, other, Tolerances.DEFAULT));
        assertTrue(e.getMessage().contains("different token sequences"), e.getMessage());
    }

    @Test
    void infiniteOrNegativeTolerancesAreRefused() {
        assertThrows(BadInputException.class, () -> new Tolerances(Double.POSITIVE_INFINITY, 0, 0));
        assertThrows(BadInputException.class, () -> new Tolerances(0, 0, Double.POSITIVE_INFINITY));
        assertThrows(BadInputException.class, () -> new Tolerances(-1e-4, 0, 0));
        assertThrows(BadInputException.class, () -> new Tolerances(Double.NaN, 0, 0));
    }

    @Test
    void intervenedTracesSayWhatWasDone() {
        Trace intervened = TRACE.withMetadata(Trace.INTERVENTION, "{\"top_k\":3}");
        Report r = TraceComparison.compare(TRACE, intervened, Tolerances.DEFAULT);
        assertNull(r.expectedIntervention());
        assertEquals("{\"top_k\":3}", r.actualIntervention());
    }
}
