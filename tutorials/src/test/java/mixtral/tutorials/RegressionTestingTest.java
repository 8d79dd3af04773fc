package mixtral.tutorials;

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
            assertTrue(f.margin() < 1e-2, "a flip at margin " + f.margin() + " is not a near-tie");
        }
    }

    @Test
    void aTieMarginAboveEveryFlipTurnsThemIntoTies() {
        Report r = RegressionTesting.compare(traces, new Tolerances(1e-2, 1e-2, 1e-2));
        assertTrue(r.flips().stream().allMatch(Report.Flip::tie));
        assertTrue(r.passed());
    }
}
