package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ArgmaxTest {
    @Test
    void theLargestEntryWinsWhereverItStands() {
        assertEquals(0, Argmax.of(new float[] {3f, 1f, 2f}));
        assertEquals(2, Argmax.of(new float[] {-3f, -2f, -1f}));
        assertEquals(1, Argmax.of(new double[] {0.1, 0.7, 0.2}));
    }

    @Test
    void theLowestIndexWinsATie() {
        // '>=' instead of '>' would answer 3 here, and a search from the end would too.
        assertEquals(1, Argmax.of(new float[] {0f, 5f, 1f, 5f}));
        assertEquals(1, Argmax.of(new double[] {0, 5, 1, 5}));
    }

    @Test
    void floatAndDoubleAgree() {
        float[] f = {0.25f, -1f, 0.75f, 0.75f, 0.5f};
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        assertEquals(Argmax.of(f), Argmax.of(d));
    }

    @Test
    void anEmptyArrayHasNoArgmax() {
        assertThrows(IllegalArgumentException.class, () -> Argmax.of(new float[0]));
        assertThrows(IllegalArgumentException.class, () -> Argmax.of(new double[0]));
    }
}
