package mixtral.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory over a block of work. The JVM and JavaCPP report only current figures (heap in use, off-heap bytes
 * allocated through JavaCPP, resident set), so a daemon thread samples them every 5 ms. Heap in use includes
 * garbage not yet collected.
 */
final class MemoryPeak implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile long heap;
    private volatile long offHeap;
    private volatile long rss;

    MemoryPeak() {
        sample();
        sampler = new Thread(() -> {
            while (running) {
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
    }

    private void sample() {
        heap = Math.max(heap, memory.getHeapMemoryUsage().getUsed());
        offHeap = Math.max(offHeap, Pointer.totalBytes());
        rss = Math.max(rss, Pointer.physicalBytes());
    }

    Timing.Memory peak() {
        return new Timing.Memory(heap, offHeap, rss);
    }

    @Override
    public void close() {
        running = false;
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }
}
