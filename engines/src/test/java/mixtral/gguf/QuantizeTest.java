package mixtral.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Known blocks, worked by hand from the format, and the error bounds each quantiser must keep. */
class QuantizeTest {
    @Test
    void q8_0BlockIsAnF16ScaleThenRoundedBytes() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = (j - 16) * 0.5f;          // amax 8: scale 8/127
        }
        x[31] = 8f;
        byte[] q = GgmlType.Q8_0.encode(x);
        assertEquals(34, q.length);
        assertEquals(Half.fromFloat(8f / 127f), (short) ((q[0] & 0xff) | q[1] << 8));
        assertEquals(-127, q[2], "-8 maps to -127");
        assertEquals(0, q[2 + 16]);
        assertEquals(127, q[2 + 31]);
        assertEquals(Quantize.roundHalfAway(-7.5f * 127f / 8f), q[2 + 1]);
    }

    @Test
    void roundingSendsHalvesAwayFromZeroAsCDoes() {
        assertEquals(3, Quantize.roundHalfAway(2.5f));
        assertEquals(-3, Quantize.roundHalfAway(-2.5f));
        assertEquals(0, Quantize.roundHalfAway(0.49999997f));
    }

    @Test
    void q4_0BlockMapsTheLargestMagnitudeToMinusEight() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = j - 16;                    // largest magnitude -16: d = 2
        }
        byte[] q = GgmlType.Q4_0.encode(x);
        assertEquals(18, q.length);
        assertEquals(Half.fromFloat(2f), (short) ((q[0] & 0xff) | q[1] << 8));
        assertEquals(0, q[2] & 0xf, "x[0] = -16 -> -8 + 8 = 0");
        assertEquals(8, (q[2] >> 4) & 0xf, "x[16] = 0 -> 8");
        assertEquals(15, (q[2 + 15] >> 4) & 0xf, "x[31] = 15 -> 7.5 + 8.5, clamped to 15");
        float[] back = GgmlType.Q4_0.decode(q);
        assertEquals(-16f, back[0]);
        assertEquals(14f, back[31]);
    }

    @Test
    void roundTripsStayWithinHalfAStepOfTheirBlockScale() {
        float[] x = random(32 * 64, 1);
        assertTrue(withinBounds(x, GgmlType.Q8_0, GgmlType.Q8_0.decode(GgmlType.Q8_0.encode(x))));
        assertTrue(withinBounds(x, GgmlType.Q4_0, GgmlType.Q4_0.decode(GgmlType.Q4_0.encode(x))));
        assertTrue(withinBounds(x, GgmlType.F16, GgmlType.F16.decode(GgmlType.F16.encode(x))));
        assertArrayEquals(x, GgmlType.F32.decode(GgmlType.F32.encode(x)));
    }

    @Test
    void aWrongBlockScaleIsCaught() {
        float[] x = random(32 * 4, 2);
        for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
            byte[] q = t.encode(x);
            int scale = 2 * t.blockBytes;    // block 2's f16 scale
            short d = (short) ((q[scale] & 0xff) | q[scale + 1] << 8);
            short wrong = Half.fromFloat(Half.toFloat(d) * 1.3f);
            q[scale] = (byte) wrong;
            q[scale + 1] = (byte) (wrong >> 8);
            assertFalse(withinBounds(x, t, t.decode(q)), t + ": a scale 30% off must break the bound");
        }
    }

    /**
     * Each value within half a quantisation step of its block (one step for Q4_0, whose positive end is clamped to 7),
     * the step being the block's largest magnitude / 127 (Q8_0) or / 8 (Q4_0); F16 within its own rounding.
     */
    static boolean withinBounds(float[] x, GgmlType t, float[] back) {
        for (int start = 0; start < x.length; start += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[start + j]));
            }
            for (int j = 0; j < 32; j++) {
                float v = x[start + j];
                double bound = switch (t) {
                    case Q8_0 -> amax / 127.0 * 0.5 * 1.01 + Math.abs(v) * 1e-3;
                    case Q4_0 -> amax / 8.0 * 1.01 + Math.abs(v) * 1e-3;
                    case F16 -> Math.abs(v) * 0x1p-11 + 0x1p-25;
                    case F32 -> 0;
                };
                if (Math.abs(back[start + j] - v) > bound) {
                    return false;
                }
            }
        }
        return true;
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 0.3);
        }
        return x;
    }
}
