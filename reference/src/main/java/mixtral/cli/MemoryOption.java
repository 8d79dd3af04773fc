package mixtral.cli;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.config.ParameterCount;
import mixtral.model.ForwardMemory;
import mixtral.model.WeightMemory;
import mixtral.trace.TraceRecorder;
import mixtral.weights.ReadAheadMode;
import org.bytedeco.javacpp.Pointer;
import picocli.CommandLine.Option;

/** {@code --memory-budget}: how many bytes of float32 weights may stay converted; beyond it, weights are streamed. */
public final class MemoryOption {
    /** The largest Java array in bytes, a little under 2^31 (some JVMs keep a few header words). */
    private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)i?b?");

    @Option(names = "--memory-budget", paramLabel = "SIZE",
            description = "Float32 weights kept converted at once, e.g. 2g or 512m. A larger model is streamed: each "
                    + "weight is converted from the checkpoint when needed, the next layer read ahead (docs/streaming.md). "
                    + "Default: half the machine's "
                    + "memory, at most 3/4 of the off-heap limit (-Dorg.bytedeco.javacpp.maxbytes, by default -Xmx).")
    String budget;

    /** Checks the option's value up front, before anything slow starts. */
    public void validate() {
        if (budget != null) {
            parse(budget);
        }
    }

    /** Unbounded when the whole model fits the budget (faster: nothing is converted twice), else bounded by it. */
    public WeightMemory memoryFor(MixtralConfig config) {
        long limit = budget != null ? parse(budget) : defaultBudget();
        long modelBytes = 4 * ParameterCount.of(config).totalSum();
        return modelBytes <= limit ? WeightMemory.unbounded() : WeightMemory.bounded(limit);
    }

    /**
     * Refuses, before any weight is read, a run this machine cannot hold: the float32 weights kept (all of them, or
     * the budget when they are streamed), what the forward pass allocates ({@link ForwardMemory}) and the recorded
     * tensors, against the machine's memory less the Java heap; and the recorded tensors, which a trace writes from
     * the heap, one array each, against the heap and the largest array.
     *
     * @param tokens    the prompt, run in one pass
     * @param positions the most positions the run reaches (the prompt, plus what generate adds)
     * @param trace     what the recorder keeps, or null when nothing is written
     */
    public void checkFits(MixtralConfig config, int tokens, long positions, TraceRecorder.Size trace) {
        long modelBytes = 4 * ParameterCount.of(config).totalSum();
        long limit = budget != null ? parse(budget) : defaultBudget();
        long weights = modelBytes <= limit ? modelBytes      // streamed: the budget and the read-ahead's buffers
                : Math.max(limit, largestWeightBytes(config)) + ReadAheadMode.DIRECT_BUFFER_BYTES;
        long recorded = trace == null ? 0 : trace.bytes();
        long pass = ForwardMemory.bytes(config, tokens, positions);
        long needed = saturatedSum(weights, pass, recorded);
        long heap = Runtime.getRuntime().maxMemory();
        long outsideHeap = processLimit() - heap;
        if (needed > outsideHeap) {
            long room = outsideHeap - pass - recorded;          // what the weights could have
            String fix = weights <= pass ? "give fewer tokens"
                    : room > largestWeightBytes(config) ? "give --memory-budget " + (room >> 20) + "m or less to "
                    + "stream the weights" : "it does not fit this machine";
            throw new BadInputException(String.format(Locale.ROOT, "%,d tokens need about %s of memory (%s of "
                    + "weights kept in float32 or read ahead, %s for the forward pass%s); this process may use %s beside its Java "
                    + "heap (%s in all%s, less -Xmx %s): %s", tokens, size(needed), size(weights), size(pass),
                    recorded > 0 ? ", " + size(recorded) + " recorded" : "", size(outsideHeap), size(processLimit()),
                    processLimit() < totalMemory() ? ", javacpp's maxphysicalbytes" : " of RAM", size(heap), fix));
        }
        if (trace != null && (trace.largestTensorBytes() > MAX_ARRAY_BYTES || trace.bytes() > heap / 4 * 3)) {
            throw new BadInputException(String.format(Locale.ROOT, "the trace of %,d tokens would hold %s, its largest "
                    + "tensor %s; it is written from the Java heap (%s), one array of at most 2 GB per tensor: record "
                    + "less (--record routing, or without --attention), give fewer tokens or raise MIXTRAL_HEAP",
                    tokens, size(trace.bytes()), size(trace.largestTensorBytes()), size(heap)));
        }
    }

    /** The largest single weight in float32: one is converted whole even when it exceeds the budget. */
    private static long largestWeightBytes(MixtralConfig c) {
        long d = c.hiddenSize();
        return 4 * d * Math.max(Math.max(c.vocabSize(), c.intermediateSize()),
                (long) c.numAttentionHeads() * c.headDim());
    }

    private static long saturatedSum(long... terms) {
        long sum = 0;
        for (long t : terms) {
            sum = t > Long.MAX_VALUE - sum ? Long.MAX_VALUE : sum + t;
        }
        return sum;
    }

    /**
     * What the whole process may hold: the machine's memory, or less when javacpp (which ND4J allocates through) is
     * told less: it fails any allocation once the process holds more than its maxPhysicalBytes (4 x -Xmx unless set).
     */
    private static long processLimit() {
        long javacpp = Pointer.maxPhysicalBytes();
        return javacpp > 0 ? Math.min(javacpp, totalMemory()) : totalMemory();
    }

    private static long totalMemory() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    }

    private static String size(long bytes) {
        return bytes == Long.MAX_VALUE ? "more than 2^63 bytes"
                : bytes >= 1e9 ? String.format(Locale.ROOT, "%.1f GB", bytes / 1e9)
                : String.format(Locale.ROOT, "%.0f MB", Math.ceil(bytes / 1e6));
    }

    static long defaultBudget() {
        return Math.min(totalMemory() / 2, Pointer.maxBytes() / 4 * 3);
    }

    static long parse(String s) {
        Matcher m = SIZE.matcher(s.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new BadInputException("--memory-budget: not a size: '" + s + "' (try 512m, 2g or 3.5GB)");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        long bytes = (long) (Double.parseDouble(m.group(1)) * (1L << shift));
        if (bytes <= 0) {
            throw new BadInputException("--memory-budget must be more than 0, got '" + s + "'");
        }
        return bytes;
    }
}
