package mixtral.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import mixtral.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

class HeldoutWindowsTest {
    /**
     * {@code numpy.linspace(0, n - 1, num=min(count, n)).astype(int)} as numpy 1.24 printed it. (31, 23) is a case
     * where double rounding matters: 11 * 30/22 is 15 exactly but 14.999... in floating point, and numpy takes 14.
     */
    @Test
    void picksMatchNumpysLinspaceTruncated() {
        assertArrayEquals(new int[] {}, HeldoutWindows.picks(0, 24));
        assertArrayEquals(new int[] {0}, HeldoutWindows.picks(1, 24));
        assertArrayEquals(new int[] {0, 1, 2}, HeldoutWindows.picks(3, 24));
        assertArrayEquals(new int[] {0, 3, 6, 9}, HeldoutWindows.picks(10, 4));
        assertArrayEquals(new int[] {0, 1, 3, 5, 6, 8, 10, 11, 13, 15, 16, 18, 20, 22, 23, 25, 27, 28, 30, 32, 33, 35,
                37, 39}, HeldoutWindows.picks(40, 24));
        assertArrayEquals(new int[] {0, 4, 8, 12, 17, 21, 25, 30, 34, 38, 43, 47, 51, 55, 60, 64, 68, 73, 77, 81, 86,
                90, 94, 99}, HeldoutWindows.picks(100, 24));
        assertArrayEquals(IntStream.range(0, 24).toArray(), HeldoutWindows.picks(24, 24));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                24}, HeldoutWindows.picks(25, 24));
        assertArrayEquals(new int[] {0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 19, 20, 21, 23, 24, 25, 27, 28,
                30}, HeldoutWindows.picks(31, 23));
    }

    @Test
    void windowsAreBosThenNonOverlappingSlicesOfTMinusOneTokens() {
        int[] stream = IntStream.range(100, 123).toArray();          // 23 tokens: n = 23 / 4 = 5 slices of 4
        List<long[]> w = HeldoutWindows.windows(stream, 5, 3, 1);    // picks 0, 2, 4
        assertEquals(3, w.size());
        assertArrayEquals(new long[] {1, 100, 101, 102, 103}, w.get(0));
        assertArrayEquals(new long[] {1, 108, 109, 110, 111}, w.get(1));
        assertArrayEquals(new long[] {1, 116, 117, 118, 119}, w.get(2));
        assertTrue(HeldoutWindows.windows(new int[3], 5, 3, 1).isEmpty(), "too short for one window");
    }

    @Test
    void paragraphsAreEncodedAloneEachFollowedByTwoNewlinePieces() {
        Tokenizer tok = Tokenizer.demo();
        int nl = tok.id("<0x0A>");
        int[] a = tok.encode("Hallo Welt", false);
        int[] b = tok.encode("x = 1\ny = 2", false);
        int[] expected = IntStream.concat(IntStream.concat(IntStream.of(a), IntStream.of(nl, nl)),
                IntStream.concat(IntStream.of(b), IntStream.of(nl, nl))).toArray();
        assertArrayEquals(expected, HeldoutWindows.stream("Hallo Welt\n\n\n\nx = 1\ny = 2\n\n", tok),
                "the empty paragraph between them and the one after the end are dropped");
        assertArrayEquals(expected, HeldoutWindows.stream("Hallo Welt\r\n\r\n \t\u00a0\n\nx = 1\ry = 2", tok),
                "CR LF and CR read as LF (Python's text mode); white space only, NBSP included, is blank");
        assertArrayEquals(new int[0], HeldoutWindows.stream("\n\n\n", tok));
    }

    @Test
    void blankIsWhatPythonsStripEmpties() {
        assertTrue(HeldoutWindows.isBlank(" \t\n\u000b\f\r\u001c\u0085\u00a0\u2003\u3000"));
        assertTrue(HeldoutWindows.isBlank(""));
        assertFalse(HeldoutWindows.isBlank("\u200b"), "a zero-width space is not white space to Python");
        assertFalse(HeldoutWindows.isBlank(" x "));
    }
}
