package mixtral.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Samples this process's anonymous resident memory (Linux {@code RssAnon}: heap, off-heap arrays, native
 * allocations; not the page cache of memory-mapped files) every few milliseconds, keeping the peak.
 */
final class AnonymousMemory implements AutoCloseable {
    private static final Path STATUS = Path.of("/proc/self/status");
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile long peak;

    AnonymousMemory() {
        peak = now();
        sampler = new Thread(() -> {
            while (running) {
                peak = Math.max(peak, now());
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-anon-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    static boolean available() {
        return Files.isReadable(STATUS);
    }

    /** RssAnon in bytes now, or -1 where /proc is not there. */
    static long now() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("RssAnon:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    long peak() {
        return Math.max(peak, now());
    }

    void resetPeak() {
        peak = now();
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
