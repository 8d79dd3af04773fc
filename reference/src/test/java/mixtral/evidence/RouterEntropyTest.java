package mixtral.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RouterEntropyTest {
    @Test
    void equalLogitsGiveLog2OfTheExpertCountInBits() {
        assertEquals(3.0, RouterEntropy.bits(new float[8]), 1e-12, "natural log would give 2.079");
        assertEquals(2.0, RouterEntropy.bits(new float[] {5, 5, 5, 5}), 1e-12);
    }

    @Test
    void aThreeToOneSplitIsPointEightOneBits() {
        // softmax(ln 3, 0) = (0.75, 0.25): -0.75 log2 0.75 - 0.25 log2 0.25 = 0.811278 bits
        assertEquals(0.8112781244591328, RouterEntropy.bits(new float[] {(float) Math.log(3), 0}), 1e-7);
    }

    @Test
    void shiftingEveryLogitChangesNothing() {
        // exp(logits) without normalising would depend on the shift
        float[] a = {1.5f, -0.25f, 0.75f, 0f};
        float[] b = {11.5f, 9.75f, 10.75f, 10f};
        assertEquals(RouterEntropy.bits(a), RouterEntropy.bits(b), 1e-9);
    }

    @Test
    void oneDominantExpertIsNearZeroAndNeverNegative() {
        double h = RouterEntropy.bits(new float[] {100, 0, 0, 0, 0, 0, 0, 0});
        assertEquals(0, h, 1e-35);
        assertEquals(0, RouterEntropy.bits(new float[] {1e4f, 0}), 0);
    }
}
