package mixtral.bench;

import java.util.Arrays;
import java.util.List;

/** Wall-clock times of the repetitions of one figure, in milliseconds, and the memory it used. */
public record Timing(List<Double> ms, Memory memory) {
    public double min() {
        return ms.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    public double median() {
        double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Peak memory while the figure ran, in bytes: Java heap in use, off-heap (resident set minus heap in use, see
     * {@link MemoryPeak}) and the resident set of the whole process. For Hugging Face only the resident set is known.
     */
    public record Memory(long heap, long offHeap, long rss) {
        public static final Memory UNKNOWN = new Memory(-1, -1, -1);
    }

    static Timing of(double[] ms, Memory memory) {
        return new Timing(Arrays.stream(ms).boxed().toList(), memory);
    }
}
