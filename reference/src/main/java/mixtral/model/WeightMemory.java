package mixtral.model;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Supplier;
import mixtral.weights.ReusedMemory;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where the model's float32 weights live. Unbounded: every weight is converted once, at load, and stays. Bounded:
 * a weight is converted from the checkpoint (memory-mapped, in its stored dtype) when a computation needs it, and
 * the least recently used ones are released when the converted weights would exceed the budget. A prompt runs layer
 * by layer over all its tokens, so even with a budget smaller than one layer each weight is converted once per prompt.
 */
public final class WeightMemory {
    private final long budget;
    private final LinkedHashSet<Weight> resident = new LinkedHashSet<>();   // least recently used first
    private long bytes;
    private long peakBytes;
    private long convertedBytes;
    private long conversions;
    private long convertNanos;
    private long reused;

    private WeightMemory(long budget) {
        this.budget = budget;
    }

    /** Every weight converted at load and kept: fastest, needs the whole model in float32. */
    public static WeightMemory unbounded() {
        return new WeightMemory(Long.MAX_VALUE);
    }

    /** At most {@code budget} bytes of converted weights at a time (one weight larger than that is still allowed). */
    public static WeightMemory bounded(long budget) {
        if (budget <= 0) {
            throw new IllegalArgumentException("memory budget must be positive, got " + budget);
        }
        return new WeightMemory(budget);
    }

    public boolean isBounded() {
        return budget != Long.MAX_VALUE;
    }

    public long budget() {
        return budget;
    }

    /** Bytes of float32 weights held now. */
    public synchronized long bytes() {
        return bytes;
    }

    /** The most bytes of float32 weights held at once. */
    public synchronized long peakBytes() {
        return peakBytes;
    }

    /** Bytes converted from the checkpoint so far (a weight converted twice counts twice). */
    public synchronized long convertedBytes() {
        return convertedBytes;
    }

    public synchronized long conversions() {
        return conversions;
    }

    /** How many conversions went into a released weight's memory instead of fresh memory. */
    public synchronized long reused() {
        return reused;
    }

    /** Nanoseconds spent converting weights so far (reading them, and waiting for the disk where it had not yet). */
    public synchronized long convertNanos() {
        return convertNanos;
    }

    /** A handle on one weight of {@code bytes} float32 bytes; unbounded memory converts it right away. */
    Weight weight(long bytes, Supplier<INDArray> load) {
        Weight w = new Weight(this, bytes, load);
        if (!isBounded()) {
            w.get();
        }
        return w;
    }

    /** The same, also added to {@code group} (the weights one read-ahead brings in). */
    Weight weight(long bytes, Supplier<INDArray> load, List<Weight> group) {
        Weight w = weight(bytes, load);
        group.add(w);
        return w;
    }

    /** Whether every one of these weights is converted and held now. */
    synchronized boolean holdsAll(List<Weight> weights) {
        return weights.stream().allMatch(w -> w.value != null);
    }

    synchronized INDArray acquire(Weight w) {
        if (w.value != null) {
            resident.remove(w);
            resident.add(w);
            return w.value;
        }
        DataBuffer reuse = null;      // a released weight's memory of exactly this size
        if (bytes + w.bytes > budget) {
            // The least recently used weight of the same size goes first, so its memory can take the new weight
            // (a layer's experts are all one size); then others, least recently used first, as long as needed.
            for (Iterator<Weight> it = resident.iterator(); it.hasNext() && reuse == null; ) {
                Weight old = it.next();
                if (old.bytes == w.bytes && old.value.data().closeable()) {
                    it.remove();
                    reuse = old.value.data();
                    old.value = null;
                    bytes -= old.bytes;
                }
            }
        }
        for (Iterator<Weight> it = resident.iterator(); it.hasNext() && bytes + w.bytes > budget; ) {
            Weight old = it.next();
            it.remove();
            release(old);
        }
        long start = System.nanoTime();
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            // the layer's workspace is reused every pass: weights must live outside it
            w.value = reuse == null ? w.load.get() : ReusedMemory.offering(reuse, w.load);
            reused += reuse != null && w.value.data() == reuse ? 1 : 0;
        }
        convertNanos += System.nanoTime() - start;
        resident.add(w);
        bytes += w.bytes;
        peakBytes = Math.max(peakBytes, bytes);
        convertedBytes += w.bytes;
        conversions++;
        return w.value;
    }

    /** Frees every converted weight now (a bounded model then converts again as it runs). */
    public synchronized void releaseAll() {
        resident.forEach(this::release);
        resident.clear();
    }

    private void release(Weight w) {
        if (isBounded() && w.value.closeable()) {
            w.value.close();      // off-heap memory goes back now, not when the garbage collector gets to it
        }
        w.value = null;
        bytes -= w.bytes;
    }
}
