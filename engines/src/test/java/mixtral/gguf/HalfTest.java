package mixtral.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HalfTest {
    @Test
    void everyHalfSurvivesARoundTripThroughFloat() {
        for (int h = 0; h < 0x10000; h++) {
            boolean nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
            if (!nan) {
                assertEquals((short) h, Half.fromFloat(Half.toFloat((short) h)), "half 0x" + Integer.toHexString(h));
            }
        }
    }

    @Test
    void knownValuesAndTiesToEven() {
        assertEquals((short) 0x3c00, Half.fromFloat(1f));
        assertEquals((short) 0xc000, Half.fromFloat(-2f));
        assertEquals((short) 0x7bff, Half.fromFloat(65504f));
        assertEquals((short) 0x7c00, Half.fromFloat(65520f), "rounds past the largest half: infinity");
        assertEquals((short) 0x0001, Half.fromFloat(0x1p-24f), "smallest subnormal");
        assertEquals((short) 0x0000, Half.fromFloat(0x1p-25f), "half the smallest subnormal ties to even zero");
        assertEquals((short) 0x3c00, Half.fromFloat(1f + 0x1p-11f), "tie between 1 and the next half: even wins");
        assertEquals((short) 0x3c02, Half.fromFloat(1f + 3 * 0x1p-11f), "tie between odd and even: even wins");
        assertEquals((short) 0x3c01, Half.fromFloat(1f + 0x1p-11f + 0x1p-20f), "just above the tie rounds up");
    }
}
