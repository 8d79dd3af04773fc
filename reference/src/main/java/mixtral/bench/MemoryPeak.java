package mixtral.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory over the runs of one figure. The JVM and JavaCPP report only current figures, so while a run is going
 * a daemon thread samples them every 5 ms. ND4J 1.0.0-M2.1 allocates its buffers in native code that JavaCPP's
 * {@code Pointer.totalBytes()} does not count (it stays at a few kB), so off-heap memory is measured as the resident
 * set ({@code Pointer.physicalBytes()}) minus the heap in use: ND4J's arrays, weights included, plus the JVM's own
 * code, metadata and thread stacks (an upper bound). Heap in use includes garbage not yet collected.
 */
final class MemoryPeak {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private volatile long heap;
    private volatile long offHeap;
    private volatile long rss;

    /** Runs the work while sampling, and keeps the peaks across calls. */
    void during(Runnable work) {
        sample();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                sample();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "memory-peak");
        sampler.setDaemon(true);
        sampler.start();
        try {
            work.run();
        } finally {
            sampler.interrupt();
            try {
                sampler.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sample();
        }
    }

    private synchronized void sample() {
        MemoryUsage h = memory.getHeapMemoryUsage();
        long resident = Pointer.physicalBytes();
        heap = Math.max(heap, h.getUsed());
        rss = Math.max(rss, resident);
        offHeap = Math.max(offHeap, resident - h.getUsed());
    }

    Timing.Memory peak() {
        return new Timing.Memory(heap, offHeap, rss);
    }
}
