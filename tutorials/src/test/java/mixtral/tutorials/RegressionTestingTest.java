package mixtral.tutorials;

import java.util.List;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mixtral.compare.Report;
import mixtral.compare.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RegressionTestingTest {
    static RegressionTesting.Traces traces;

    @BeforeAll
    static void run() {
        traces = RegressionTesting.traces(RegressionTesting.EPS);
    }

    @Test
    void theReferenceComparedWithItselfPasses() {
        Report r = RegressionTesting.compare(new RegressionTesting.Traces(traces.expected(), traces.expected()),
                Tolerances.DEFAULT);
        assertTrue(r.passed());
        assertTrue(r.flips().isEmpty());
    }

    @Test
    void thePerturbedEngineFailsTheDefaultTolerancesAndFlipsOnlyWhereTheRouterWasNearlyUndecided() {
        Report r = RegressionTesting.compare(traces, Tolerances.DEFAULT);
        assertFalse(r.passed());
        assertFalse(r.flips().isEmpty(), "the lesson needs at least one flip to read");
        for (Report.Flip f : r.flips()) {
            // The lesson's reading: the router was nearly undecided between its 2nd and 3rd expert (most margins
            // are 0.1 to 3), and the first choice held.
            assertTrue(f.margin() < 0.1, "a flip at margin " + f.margin() + " is not a near-tie");
            assertEquals(f.expectedExperts()[0], f.actualExperts()[0], "a flip of the first choice");
        }
    }

    @Test
    void aTieMarginAboveEveryFlipTurnsThemIntoTies() {
        assertTrue(RegressionTesting.compare(traces, new Tolerances(1e-2, 1e-2, 1e-2)).flips().stream()
                .anyMatch(f -> !f.tie()), "the lesson says a 1e-2 tie margin leaves some flips that are not ties");
        assertTrue(RegressionTesting.compare(traces, new Tolerances(1e-2, 1e-2, 0.1)).flips().stream()
                .allMatch(Report.Flip::tie));
    }

    @Test
    void aRealTieFailsWithoutTheModelAndPassesWithItsRoutingReplayed() {
        List<RegressionTesting.Decision> ds = RegressionTesting.decisions(traces, RegressionTesting.compare(traces,
                Tolerances.DEFAULT));
        RegressionTesting.Decision nearest = ds.stream().filter(d -> !d.flipped())
                .min(java.util.Comparator.comparingDouble(RegressionTesting.Decision::margin)).orElseThrow();
        RegressionTesting.Traces tie = RegressionTesting.realTie(traces, nearest.layer(), nearest.token());
        Tolerances tol = new Tolerances(1e-4, 1e-4, 1e-3);
        Report without = RegressionTesting.compare(tie, tol);
        assertFalse(without.passed());
        assertTrue(without.flips().stream().allMatch(Report.Flip::tie));
        assertTrue(RegressionTesting.replayed(tie, tol).passed());
    }

    @Test
    void withTheRoutingReplayedTheFlipsAreJudgedByTheReferencesOwnLogits() {
        Report r = RegressionTesting.replayed(traces, new Tolerances(1e-2, 1e-2, 1e-2));
        assertFalse(r.passed());
        assertEquals(r.flips().stream().filter(f -> !f.tie()).count(), r.wrongDecisions().size(),
                "here every wrong decision is also a flip");
        assertTrue(r.wrongDecisions().stream().allMatch(d -> d.shortfall() > 1e-2));
    }
}
