package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mixtral.compare.Report;
import mixtral.compare.Tolerances;
import mixtral.gguf.GgmlType;
import mixtral.testing.Prerequisites;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What lesson 7 tells about llama.cpp against the reference, held to what the comparison finds. */
class RegressionTestingTest {
    /** Each test, not the class, is skipped (or failed under CI=true) with the reason, so the report counts it. */
    @BeforeEach
    void llamaCppIsPresent() {
        EngineRuns.unavailable().ifPresent(why -> {
            throw Prerequisites.missing(why);
        });
    }

    @Test
    void llamaCppWithFloat32WeightsAgreesWithTheSameExperts() {
        Report r = EngineRuns.compare(GgmlType.F32, Tolerances.DEFAULT);
        assertTrue(r.passed(), RegressionTesting.printed(r));
        assertEquals(List.of(), r.flips());
        assertTrue(EngineRuns.scaledError(r) < 1e-5, "F32 must agree to float32 rounding: " + EngineRuns.scaledError(r));
    }

    @Test
    void quantisedWeightsFailTheDefaultsAndFlipOnlyTheRunnerUpWithinTheirRouterLogitError() {
        for (GgmlType type : List.of(GgmlType.Q8_0, GgmlType.Q4_0)) {
            Report r = EngineRuns.compare(type, Tolerances.DEFAULT);
            assertFalse(r.passed(), type + " passed float32 tolerances");
            assertFalse(r.flips().isEmpty(), "the lesson needs " + type + " flips to read");
            double error = EngineRuns.routerLogitError(EngineRuns.replayed(type, RegressionTesting.GATE));
            for (Report.Flip f : r.flips()) {
                // The lesson's reading: the first choice held, and the two logits' errors together exceeded the margin.
                assertEquals(f.expectedExperts()[0], f.actualExperts()[0], type + ": a flip of the first choice");
                assertTrue(f.margin() < 2 * error, type + ": a flip at margin " + f.margin()
                        + ", beyond twice the router-logit error " + error);
            }
        }
    }

    @Test
    void theGatesTieMarginCoversQ8RouterLogitErrorAndEveryQ8Flip() {
        double error = EngineRuns.routerLogitError(EngineRuns.replayed(GgmlType.Q8_0, RegressionTesting.GATE));
        assertTrue(RegressionTesting.GATE.tieMargin() > error, "tie margin " + RegressionTesting.GATE.tieMargin()
                + " below Q8_0's router-logit error " + error);
        assertTrue(EngineRuns.compare(GgmlType.Q8_0, RegressionTesting.GATE).flips().stream().allMatch(Report.Flip::tie));
    }

    @Test
    void q8RealTiesFailWithoutTheModelAtAFlippedTokenAndPassWithTheRoutingReplayed() {
        Report without = EngineRuns.compare(GgmlType.Q8_0, RegressionTesting.GATE);
        assertFalse(without.passed());
        assertTrue(without.flips().stream().anyMatch(f -> f.token() == without.first().token()
                        && f.layer() <= without.first().layer()),
                "the first divergence should sit at a token a tie sent elsewhere: " + without.first());
        assertTrue(without.hint() != null && without.hint().contains("--model"), String.valueOf(without.hint()));
        Report with = EngineRuns.replayed(GgmlType.Q8_0, RegressionTesting.GATE);
        assertTrue(with.passed(), RegressionTesting.printed(with));
        assertEquals(List.of(), with.wrongDecisions());
    }

    @Test
    void theSameGateRejectsQ4WithWrongDecisionsBeyondTheTieMargin() {
        Report r = EngineRuns.replayed(GgmlType.Q4_0, RegressionTesting.GATE);
        assertFalse(r.passed());
        assertFalse(r.wrongDecisions().isEmpty());
        assertTrue(r.wrongDecisions().stream().allMatch(d -> d.shortfall() > RegressionTesting.GATE.tieMargin()));
        EngineRuns.Junit junit = EngineRuns.junit(r);
        assertEquals(r.wrongDecisions().size() + r.tensors().stream().filter(d -> !d.within()).count(), junit.failures(),
                "the JUnit file counts one failure per wrong decision and per tensor outside the tolerances");
    }

    @Test
    void aRoutingBugBehindQ8PassingGateIsAWrongDecision() {
        // A broken engine: Q8_0's trace with one decision of a wide margin sent to the reference's last-ranked expert.
        EngineRuns.Decision wide = EngineRuns.decisions().stream().filter(d -> d.margin() > 1).findFirst().orElseThrow();
        Trace q8 = EngineRuns.llama(GgmlType.Q8_0);
        String name = TensorNames.selectedExperts(wide.layer());
        INDArray experts = q8.get(name).dup();
        float[] logits = EngineRuns.reference().get(TensorNames.routerLogits(wide.layer())).toFloatMatrix()[wide.token()];
        int last = 0;
        for (int e = 1; e < logits.length; e++) {
            last = logits[e] < logits[last] ? e : last;
        }
        experts.putScalar(new long[] {wide.token(), experts.columns() - 1}, last);
        Map<String, INDArray> tensors = new LinkedHashMap<>(q8.tensors());
        tensors.put(name, experts);
        Report r = EngineRuns.replayed(new Trace(tensors, q8.metadata()), RegressionTesting.GATE);
        assertFalse(r.passed());
        assertTrue(r.wrongDecisions().stream().anyMatch(d -> d.layer() == wide.layer() && d.token() == wide.token()),
                "the changed decision is not reported wrong");
    }
}
