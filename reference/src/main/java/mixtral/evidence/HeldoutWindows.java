package mixtral.evidence;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import mixtral.tokenizer.Tokenizer;

/**
 * The held-out windows the trained demo model was scored on, made exactly as {@code trained-model/train.py}'s
 * {@code Corpus} makes them, so that Java and Python see the same tokens:
 * <ol>
 *   <li>the text (newlines as Python's text mode reads them: {@code \r\n} and {@code \r} become {@code \n}) is split
 *       on blank lines ({@code "\n\n"}); paragraphs that are only white space are dropped;</li>
 *   <li>each paragraph is encoded on its own (no BOS) and followed by two {@code <0x0A>} (newline byte) pieces;</li>
 *   <li>of the n = len / (T-1) non-overlapping slices of T-1 tokens, {@code min(count, n)} evenly spaced ones are
 *       picked as {@code numpy.linspace(0, n-1, count).astype(int)} does, and each window is BOS + its slice.</li>
 * </ol>
 */
public final class HeldoutWindows {
    private HeldoutWindows() {}

    /** The token stream of a whole text: paragraphs encoded one by one, each followed by two newline pieces. */
    public static int[] stream(String text, Tokenizer tokenizer) {
        int newline = tokenizer.id("<0x0A>");
        String[] paragraphs = text.replace("\r\n", "\n").replace('\r', '\n').split("\n\n", -1);
        IntStream.Builder ids = IntStream.builder();
        for (String p : paragraphs) {
            if (isBlank(p)) {
                continue;
            }
            for (int id : tokenizer.encode(p, false)) {
                ids.add(id);
            }
            ids.add(newline).add(newline);
        }
        return ids.build().toArray();
    }

    /** Python's {@code not p.strip()}: empty or only characters that {@code str.isspace} accepts. */
    static boolean isBlank(String s) {
        return s.codePoints().allMatch(HeldoutWindows::isPythonSpace);
    }

    /** {@code str.isspace}: bidirectional class WS, B or S, or general category Zs. */
    private static boolean isPythonSpace(int c) {
        byte bidi = Character.getDirectionality(c);
        return bidi == Character.DIRECTIONALITY_WHITESPACE || bidi == Character.DIRECTIONALITY_PARAGRAPH_SEPARATOR
                || bidi == Character.DIRECTIONALITY_SEGMENT_SEPARATOR || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    /**
     * Which of n slices to take: {@code numpy.linspace(0, n - 1, min(count, n)).astype(int)}, computed the way numpy
     * does (i * step in double precision, the last value exactly n - 1, truncation toward zero).
     */
    public static int[] picks(int n, int count) {
        int num = Math.min(count, n);
        int[] picks = new int[Math.max(0, num)];
        double step = num > 1 ? (double) (n - 1) / (num - 1) : 0;
        for (int i = 0; i < picks.length; i++) {
            picks[i] = i == num - 1 && num > 1 ? n - 1 : (int) (i * step + 0.0);
        }
        return picks;
    }

    /** Up to {@code count} evenly spaced, non-overlapping windows of {@code seqLen} tokens: BOS, then seqLen-1 of the stream. */
    public static List<long[]> windows(int[] stream, int seqLen, int count, int bos) {
        int n = stream.length / (seqLen - 1);
        List<long[]> windows = new ArrayList<>();
        for (int i : picks(n, count)) {
            long[] w = new long[seqLen];
            w[0] = bos;
            for (int j = 1; j < seqLen; j++) {
                w[j] = stream[i * (seqLen - 1) + j - 1];
            }
            windows.add(w);
        }
        return windows;
    }
}
