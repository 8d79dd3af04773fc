package mixtral.bench;

import java.util.Arrays;
import java.util.List;

/** Wall-clock times of the repetitions of one figure, in milliseconds, and the memory it used. */
public record Timing(List<Double> ms, Memory memory) {
    public double median() {
        double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Peak memory while the figure ran, in bytes: Java heap, off-heap arrays (ND4J's buffers, counted by JavaCPP),
     * and the resident set of the whole process. For the Hugging Face side only the resident set is known.
     */
    public record Memory(long heap, long offHeap, long rss) {
        public static final Memory UNKNOWN = new Memory(-1, -1, -1);
    }

    static Timing of(double[] ms, Memory memory) {
        return new Timing(Arrays.stream(ms).boxed().toList(), memory);
    }
}
