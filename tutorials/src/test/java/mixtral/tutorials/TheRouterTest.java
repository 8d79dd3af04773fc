package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mixtral.trace.Trace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TheRouterTest {
    static Trace trace;

    @BeforeAll
    static void run() {
        trace = DemoRun.trace(DemoRun.SENTENCE, false);
    }

    @Test
    void top2RoutingWeightsSumToOne() {
        TheRouter.Worked w = TheRouter.worked(trace);
        assertEquals(1.0, w.weights()[0] + w.weights()[1], 1e-6);
        assertTrue(w.weights()[0] >= w.weights()[1], "the first choice has the larger weight");
    }

    @Test
    void topkThenSoftmaxEqualsSoftmaxThenTopkThenRenormaliseOnEveryTokenAndLayer() {
        assertTrue(TheRouter.largestDisagreement(trace) < 1e-6);
    }

    @Test
    void theLessonsWeightsAreTheOnesTheModelRecorded() {
        TheRouter.Worked w = TheRouter.worked(trace);
        assertArrayEquals(w.traced(), w.weights(), 1e-7f);
    }

    @Test
    void theMarginIsTheSecondLogitMinusTheBestUnchosenOne() {
        TheRouter.Worked w = TheRouter.worked(trace);
        assertEquals(w.logits()[w.experts()[1]] - w.logits()[TheRouter.thirdChoice(w)], w.margin(), 1e-6);
    }
}
