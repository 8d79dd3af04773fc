package mixtral.weights;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import mixtral.safetensors.SafetensorsFile;
import mixtral.safetensors.TensorInfo;

/**
 * Brings the bytes of the weights needed next from disk into the page cache on a background thread, while the current
 * layer converts and computes, so that a streamed model waits on the disk at most once (the first layer) instead of
 * once per layer. Reading is asynchronous to the model and changes no result: a weight is converted from the same
 * mapped file whether or not its pages came in ahead of it. Chunks already in memory are skipped.
 */
public final class ReadAhead implements AutoCloseable {
    /** Bytes mapped and brought in at a time: large, sequential requests are what a disk serves fastest. */
    private static final long CHUNK = 64L << 20;
    /** One read-ahead of a layer: when it ran (System.nanoTime) and how many bytes were not yet in memory. */
    public record Span(int layer, long startNanos, long endNanos, long bytesRead) {
        public double seconds() {
            return (endNanos - startNanos) / 1e9;
        }
    }

    /** One tensor's bytes in its file. */
    record Range(SafetensorsFile file, TensorInfo tensor) {}

    /**
     * The most recent spans, a few hundred forward passes of Mixtral 8x7B: a server streaming a model for days must
     * not grow without end.
     */
    static final class Log {
        private static final int KEPT = 1 << 14;
        private final ArrayDeque<Span> spans = new ArrayDeque<>();

        synchronized void add(Span s) {
            if (spans.size() == KEPT) {
                spans.removeFirst();
            }
            spans.addLast(s);
        }

        synchronized List<Span> list() {
            return List.copyOf(spans);
        }
    }

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "checkpoint read-ahead");
        t.setDaemon(true);         // never keeps the JVM alive: a read-ahead nobody waits for can be dropped
        return t;
    });
    private final Log log = new Log();
    private final FileChannel devNull = openDevNull();
    private volatile boolean closed;

    /** Queues the reading of {@code ranges} (in order, after what is queued already), logged under {@code layer}. */
    void queue(int layer, List<Range> ranges) {
        if (closed) {
            return;
        }
        try {
            thread.execute(() -> read(layer, ranges));
        } catch (RejectedExecutionException closedMeanwhile) {
            // the checkpoint closed between the check and now: nothing needs these bytes
        }
    }

    private void read(int layer, List<Range> ranges) {
        long start = System.nanoTime();
        long read = 0;
        for (Range r : ranges) {
            for (long pos = r.tensor().begin(); pos < r.tensor().end() && !closed; pos += CHUNK) {
                read += bringIn(r.file(), pos, Math.min(CHUNK, r.tensor().end() - pos));
            }
        }
        log.add(new Span(layer, start, System.nanoTime(), read));
    }

    private long bringIn(SafetensorsFile file, long pos, long len) {
        try {
            MappedByteBuffer m = file.map(pos, len);
            if (m.isLoaded()) {
                return 0;
            }
            if (devNull != null) {
                file.transferTo(pos, len, devNull);    // the kernel reads the bytes and drops them: no copy, no faults
            } else {
                m.load();           // madvise(WILLNEED), then a touch per page
            }
            return len;
        } catch (RuntimeException | IOException closedMeanwhile) {
            return 0;               // the checkpoint was closed: nobody needs these bytes any more
        }
    }

    /**
     * Where read-ahead bytes go: {@code /dev/null}, so that sendfile(2) brings them into the page cache with no copy
     * to this process and no page mapped in it (0.05 s of CPU for 1.7 GB, against 2.3 s to touch every page of a
     * mapping, which took the second core from the layer computing meanwhile: a cold streamed layer's products took
     * 1.7 s instead of 1.1). Null where there is no {@code /dev/null}: then pages are touched.
     */
    private static FileChannel openDevNull() {
        try {
            return FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /** The read-aheads finished so far (the most recent few thousand), in the order they ran. */
    public List<Span> log() {
        return log.list();
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
        if (devNull != null) {
            try {
                devNull.close();
            } catch (IOException ignored) {
                // nothing was written that could be lost
            }
        }
    }
}
