package mixtral.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tensor large enough to be converted in parts, one per core, reads exactly as it would in one piece: every value in
 * its place (also from an element offset and into a buffer already part full), and a NaN in any part is reported.
 */
class ParallelConversionTest {
    /** Three parts' worth and a ragged tail: more than {@code PART_ELEMENTS} for every core of a 2-core machine. */
    private static final int N = 3 * (1 << 20) + 5;

    @TempDir
    Path dir;

    private static float[] values() {
        float[] v = new float[N];
        for (int i = 0; i < N; i++) {
            v[i] = Float.intBitsToFloat((0x3f80 + (i % 251)) << 16) * ((i & 1) == 0 ? 1 : -1);   // exact in BF16
        }
        return v;
    }

    @Test
    void everyValueLandsInItsPlaceFromAnyOffsetIntoAnyPosition() {
        float[] v = values();
        try (SafetensorsFile f = write(v)) {
            FloatBuffer out = FloatBuffer.allocate(N + 7);
            out.position(7);
            assertTrue(f.readFloats(f.info("t"), out));
            assertEquals(N + 7, out.position(), "the buffer advanced by exactly the values read");
            for (int i = 0; i < N; i++) {
                assertEquals(v[i], out.get(7 + i), "element " + i);
            }
            long from = 12_345;
            FloatBuffer part = FloatBuffer.allocate(N);
            assertTrue(f.readFloats(f.info("t"), from, N - from, part));
            for (int i = 0; i < N - from; i++) {
                assertEquals(v[(int) from + i], part.get(i), "element " + (from + i) + " read from " + from);
            }
        }
    }

    @Test
    void aNaNInTheFirstOrLastPartOrTheTailIsFound() {
        for (int at : new int[] {0, N / 2, N / 2 + 1, N - 1}) {
            float[] v = values();
            v[at] = Float.NaN;
            try (SafetensorsFile f = write(v)) {
                assertFalse(f.readFloats(f.info("t"), FloatBuffer.allocate(N)), "NaN at " + at + " of " + N);
            }
        }
    }

    private SafetensorsFile write(float[] v) {
        Path p = dir.resolve("t.safetensors");
        new SafetensorsWriter().add("t", v, new long[] {v.length}, DType.BF16).write(p);
        return SafetensorsFile.open(p);
    }
}
