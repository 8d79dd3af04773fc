package mixtral.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SafetensorsFile#readFloats} tells whether every value was finite, checking several values per long: a NaN or
 * an infinity anywhere (in the first, a middle or the last lane of a long, or in the tail of fewer than 8 bytes) is
 * found in every stored dtype, and the largest finite values, one bit away from infinity, are not mistaken for it.
 */
class FiniteCheckTest {
    private static final float[] NOT_FINITE = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

    @TempDir
    Path dir;

    @Test
    void aNonFiniteValueAnywhereIsReportedInEveryDtype() {
        for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16}) {
            for (int n = 1; n <= 11; n++) {
                for (int at = 0; at < n; at++) {
                    for (float bad : NOT_FINITE) {
                        float[] v = new float[n];
                        v[at] = bad;
                        assertEquals(false, read(v, dtype), dtype + ": " + bad + " at " + at + " of " + n);
                    }
                }
            }
        }
    }

    @Test
    void theLargestFiniteValuesAreFinite() {
        float maxBf16 = Float.intBitsToFloat(0x7f7f0000);
        assertEquals(true, read(new float[] {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, 0, -0f}, DType.F32));
        assertEquals(true, read(new float[] {maxBf16, -maxBf16, 1e-38f, 0, 3, -7, maxBf16, 1, 2}, DType.BF16));
        assertEquals(true, read(new float[] {65504, -65504, 6e-8f, 0, 1, 65504, -1, 2, 3}, DType.F16));
    }

    @Test
    void checkingDoesNotChangeTheValuesRead() {
        float[] v = {1.5f, -2.25f, 3, 0.125f, 7, -8, 9.5f, 10, 11};
        FloatBuffer out = FloatBuffer.allocate(v.length);
        write(v, DType.F32);
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("t.safetensors"))) {
            f.readFloats(f.info("t"), out);
        }
        assertArrayEquals(v, out.array());
    }

    private boolean read(float[] values, DType dtype) {
        write(values, dtype);
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("t.safetensors"))) {
            return f.readFloats(f.info("t"), FloatBuffer.allocate(values.length));
        }
    }

    private void write(float[] values, DType dtype) {
        new SafetensorsWriter().add("t", values, new long[] {values.length}, dtype).write(dir.resolve("t.safetensors"));
    }
}
