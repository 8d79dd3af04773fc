package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExpertByHandTest {
    @Test
    void twoExpertsRunByHandAndWeightedGiveTheModelsMoeOutput() {
        ExpertByHand.Worked w = ExpertByHand.worked();
        assertEquals(2, w.runs().length);
        double largest = 0;
        for (float v : w.recorded()) {
            largest = Math.max(largest, Math.abs(v));
        }
        // float32 sums in another order: within a millionth of the largest value, not exactly equal.
        assertTrue(w.maxDiff() < 1e-6 * Math.max(1, largest), "by hand and recorded differ by " + w.maxDiff()
                + " for values up to " + largest);
    }

    @Test
    void oneExpertAloneIsNotTheMoeOutput() {
        ExpertByHand.Worked w = ExpertByHand.worked();
        double diff = 0;
        for (int i = 0; i < w.recorded().length; i++) {
            diff = Math.max(diff, Math.abs(w.runs()[0].out()[i] - w.recorded()[i]));
        }
        assertTrue(diff > 1e-2, "the comparison could not tell one expert from the weighted pair");
    }

    @Test
    void siluIsZeroAtZeroNearlyTheIdentityForLargeInputsAndNegativeBelowZero() {
        assertEquals(0, ExpertByHand.silu(0), 0);
        assertEquals(20, ExpertByHand.silu(20), 1e-6);
        assertTrue(ExpertByHand.silu(-1.28) < -0.27);
    }
}
