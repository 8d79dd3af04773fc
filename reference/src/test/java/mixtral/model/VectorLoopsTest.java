package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorLoops}' exp: close to the true exp, and the same bits in a SIMD lane as in the scalar remainder, so
 * that a result depends neither on where an element falls nor on whether the JIT has compiled the loop yet.
 */
class VectorLoopsTest {
    @Test
    void expIsWithinTwoUlpOfTheTrueExpOverTheWholeRange() {
        double worst = 0;
        for (float x = -87f; x <= 88f; x += 0.000731f) {
            double exact = Math.exp(x);
            double ulps = Math.abs(VectorLoops.exp(x) - exact) / Math.ulp((float) exact);
            worst = Math.max(worst, ulps);
        }
        assertTrue(worst <= 2, "largest error " + worst + " ulp");
        assertEquals(1f, VectorLoops.exp(0f), 0f);
    }

    @Test
    void expClampsOutsideTheFloatRangeInsteadOfGivingInfinityOrNaN() {
        assertEquals(Math.exp(88), VectorLoops.exp(1000f), 1e32);
        assertTrue(VectorLoops.exp(-1000f) < 2e-38f && VectorLoops.exp(-1000f) >= 0);
        assertTrue(Float.isNaN(VectorLoops.exp(Float.NaN)));
    }

    @Test
    void aLaneGivesTheSameBitsAsTheScalarForm() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        float[] x = new float[lanes * 4096];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 200 - 100);
        }
        float[] y = new float[x.length];
        for (int round = 0; round < 20; round++) {              // interpreted at first, then compiled by the JIT
            for (int i = 0; i < x.length; i += lanes) {
                VectorLoops.exp(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, i)).intoArray(y, i);
            }
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(VectorLoops.exp(x[i])), Float.floatToRawIntBits(y[i]),
                        "exp(" + x[i] + "), round " + round);
            }
        }
    }
}
