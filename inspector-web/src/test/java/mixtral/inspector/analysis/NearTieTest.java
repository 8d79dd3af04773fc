package mixtral.inspector.analysis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NearTieTest {
    private static final double M = TraceAnalysis.NEAR_TIE_MARGIN;

    @Test
    void aMarginExactlyAtTheThresholdIsNotANearTie() {
        // The page's legend says "margin < nearTieMargin"; '<=' would flag this one.
        assertFalse(TraceAnalysis.isNearTie(M));
        assertTrue(TraceAnalysis.isNearTie(Math.nextDown(M)));
    }

    @Test
    void anExactTieIsANearTieAndAClearGapIsNot() {
        assertTrue(TraceAnalysis.isNearTie(0.0));
        assertFalse(TraceAnalysis.isNearTie(2 * M));
    }

    @Test
    void withEveryExpertChosenThereIsNoMarginAndNoTie() {
        assertFalse(TraceAnalysis.isNearTie(null));
    }
}
