package mixtral.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import com.sun.nio.file.ExtendedOpenOption;
import mixtral.safetensors.SafetensorsFile;
import mixtral.safetensors.TensorInfo;
import org.bytedeco.javacpp.BytePointer;

/**
 * Reads the weights a streamed model needs next straight from the disk into a few reused buffers, past the page cache
 * (O_DIRECT), in the order the forward pass converts them; a weight's conversion then reads those buffers instead of
 * the memory-mapped file, piece by piece, while the next pieces are being read.
 *
 * <p>Why not the page cache: a model streamed because it does not fit in memory gains nothing from caching its bytes
 * (each pass evicts what the next one needs first), and filling pages the machine has not touched lately costs
 * more than the disk itself on a virtual machine that hands free memory back to its host: after the page cache was
 * emptied, 3.1 GB came in and were converted in 7.9 s through the cache and in 2.0 s through two reused buffers
 * (docs/streaming.md). The result is the same either way: the same bytes go through the same conversion.
 *
 * <p>Usable where the file system accepts O_DIRECT ({@link #open} says null elsewhere; the checkpoint then reads ahead
 * into the page cache). {@link ReadAheadMode} says when a checkpoint uses them.
 */
final class DirectReads implements AutoCloseable {
    /** Bytes read at a time into one buffer: large, sequential requests are what a disk serves fastest. */
    static final long PIECE = 32L << 20;
    /** Buffers at most: how far ahead of the conversion reading may run (512 MB with {@link #PIECE}). */
    static final int BUFFERS = 16;

    /** What {@link #convert} did with a tensor. */
    enum Result { NOT_QUEUED, FINITE, NOT_FINITE }

    private enum State { QUEUED, READING, READ, FAILED, DROPPED }

    /** Elements [from, from + count) of one tensor, and once read, the buffer holding their bytes. */
    private static final class Piece {
        final int layer;
        final SafetensorsFile file;
        final TensorInfo tensor;
        final long from;
        final long count;
        State state = State.QUEUED;
        Buffer buffer;
        long bufferAt;         // file offset of the buffer's first byte

        Piece(int layer, SafetensorsFile file, TensorInfo tensor, long from, long count) {
            this.layer = layer;
            this.file = file;
            this.tensor = tensor;
            this.from = from;
            this.count = count;
        }

        boolean of(SafetensorsFile f, TensorInfo t) {
            return file == f && tensor.name().equals(t.name());
        }
    }

    /** Native memory aligned for O_DIRECT, freed when these reads close (not whenever the garbage collector runs). */
    private record Buffer(BytePointer memory, ByteBuffer bytes) {}

    /** A layer's reading so far, for the timeline. */
    private static final class LayerSpan {
        long start = Long.MAX_VALUE;
        long end;
        long bytes;
        int pending;
    }

    private final long piece;
    private final int maxBuffers;
    private final long align;
    private final Map<SafetensorsFile, FileChannel> channels;
    private final ArrayDeque<Piece> queue = new ArrayDeque<>();      // queued, being read or read; not yet converted
    private final ArrayDeque<Buffer> free = new ArrayDeque<>();
    private int made;                                                // buffers allocated so far
    private final Map<Integer, LayerSpan> spans = new HashMap<>();
    private final ReadAhead.Log log = new ReadAhead.Log();
    private final Thread reader;
    private boolean closed;
    private long fromMapping;
    private long dropped;
    private long served;

    private DirectReads(Map<SafetensorsFile, FileChannel> channels, long align, long piece, int maxBuffers) {
        this.channels = channels;
        this.align = align;
        this.piece = piece;
        this.maxBuffers = maxBuffers;
        this.reader = new Thread(this::run, "checkpoint direct reads");
        reader.setDaemon(true);       // never keeps the JVM alive
        reader.start();
    }

    /** Direct reads of these files, or null where the file system refuses O_DIRECT. */
    static DirectReads open(List<SafetensorsFile> files) {
        return open(files, PIECE, BUFFERS);
    }

    /** The same with other sizes (tests use small pieces to cross many boundaries). */
    static DirectReads open(List<SafetensorsFile> files, long piece, int maxBuffers) {
        Map<SafetensorsFile, FileChannel> channels = new IdentityHashMap<>();
        long align = 4096;
        try {
            for (SafetensorsFile f : files) {
                channels.put(f, FileChannel.open(f.path(), StandardOpenOption.READ, ExtendedOpenOption.DIRECT));
                align = Math.max(align, Files.getFileStore(f.path()).getBlockSize());
            }
        } catch (IOException | UnsupportedOperationException | SecurityException refused) {
            channels.values().forEach(DirectReads::closeQuietly);
            return null;
        }
        if (piece % align != 0 || piece % 8 != 0) {
            throw new IllegalArgumentException("a piece of " + piece + " bytes is not a multiple of " + align);
        }
        return new DirectReads(channels, align, piece, maxBuffers);
    }

    /** Queues the reading of these tensors, in order, after what is queued already; logged under {@code layer}. */
    synchronized void queue(int layer, List<ReadAhead.Range> ranges) {
        if (closed) {
            return;
        }
        LayerSpan span = spans.computeIfAbsent(layer, l -> new LayerSpan());
        for (ReadAhead.Range r : ranges) {
            long per = piece / r.tensor().dtype().bytes;
            for (long from = 0; from < r.tensor().numel(); from += per) {
                queue.add(new Piece(layer, r.file(), r.tensor(), from, Math.min(per, r.tensor().numel() - from)));
                span.pending++;
            }
        }
        notifyAll();
    }

    /**
     * Converts tensor {@code t} of {@code file} into {@code out} from the pieces read for it, when it is queued: what
     * is queued before it is dropped (weights already in memory, experts no token chose). A piece that could not be
     * read directly is converted from the mapped file.
     */
    Result convert(SafetensorsFile file, TensorInfo t, FloatBuffer out) {
        synchronized (this) {
            if (closed || queue.stream().noneMatch(p -> p.of(file, t))) {
                return Result.NOT_QUEUED;
            }
            while (!queue.peekFirst().of(file, t)) {
                drop(queue.pollFirst());
            }
            served++;
        }
        boolean finite = true;
        for (long done = 0; done < t.numel(); ) {
            Piece p = next(file, t, done);
            if (p == null) {          // not queued whole (cannot happen as queue() is written): the rest from the file
                finite &= file.readFloats(t, done, t.numel() - done, out);
                break;
            }
            boolean read = p.state == State.READ;
            finite &= read ? file.readFloats(t, p.from, p.count, out, p.buffer.bytes(), p.bufferAt)
                    : file.readFloats(t, p.from, p.count, out);
            done += p.count;
            synchronized (this) {
                release(p);
                fromMapping += read ? 0 : 1;
            }
        }
        return finite ? Result.FINITE : Result.NOT_FINITE;
    }

    /**
     * Drops every queued piece of these tensors, read or not (an expert no token chose): the reader goes on to what
     * is needed, and a buffer holding one is free again.
     */
    synchronized void drop(List<ReadAhead.Range> tensors) {
        for (Iterator<Piece> it = queue.iterator(); it.hasNext(); ) {
            Piece p = it.next();
            if (tensors.stream().anyMatch(r -> p.of(r.file(), r.tensor()))) {
                it.remove();
                drop(p);
                dropped++;
            }
        }
    }

    /** The piece of t starting at element {@code from}, at the head of the queue, once read (or failed); else null. */
    private synchronized Piece next(SafetensorsFile file, TensorInfo t, long from) {
        Piece p = queue.peekFirst();
        if (p == null || !p.of(file, t) || p.from != from) {
            return null;
        }
        boolean interrupted = false;
        while (p.state == State.QUEUED || p.state == State.READING) {
            try {
                wait();                // the reader takes pieces in queue order: this one is next or being read
            } catch (InterruptedException e) {
                interrupted = true;    // a read always ends (closing fails it), so keep waiting, then say so
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        queue.pollFirst();
        return p;
    }

    private void drop(Piece p) {
        if (p.state == State.READING) {
            p.state = State.DROPPED;          // the reader frees its buffer when the read returns
        } else {
            release(p);
        }
    }

    private void release(Piece p) {
        if (p.buffer != null) {
            recycle(p.buffer);
            p.buffer = null;
        }
        if (p.state == State.QUEUED) {
            finished(p, 0, 0, 0);
        }
        notifyAll();
    }

    private void run() {
        while (true) {
            Piece p = null;
            Buffer b;
            synchronized (this) {
                while (!closed && ((p = firstQueued()) == null || (free.isEmpty() && made >= maxBuffers))) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed || p == null) {
                    return;
                }
                b = bufferFor();
                p.state = State.READING;
                p.buffer = b;
            }
            long start = System.nanoTime();
            long first = (p.tensor.begin() + p.from * p.tensor.dtype().bytes) / align * align;
            long end = p.tensor.begin() + (p.from + p.count) * p.tensor.dtype().bytes;
            boolean read = read(channels.get(p.file), b.bytes(), first, end);
            synchronized (this) {
                p.bufferAt = first;
                if (p.state == State.DROPPED || !read) {
                    recycle(b);
                    p.buffer = null;
                }
                if (p.state != State.DROPPED) {
                    p.state = read ? State.READ : State.FAILED;
                }
                finished(p, start, System.nanoTime(), read ? end - first : 0);
                notifyAll();
            }
        }
    }

    private Piece firstQueued() {
        for (Piece p : queue) {
            if (p.state == State.QUEUED) {
                return p;
            }
        }
        return null;
    }

    /** A free buffer, or a new one while there are fewer than the most; each holds a whole piece, aligned. */
    private Buffer bufferFor() {
        long need = piece + 2 * align;
        Buffer b = free.poll();
        if (b != null) {
            return b;
        }
        BytePointer memory = new BytePointer(need + align);
        Buffer fresh = new Buffer(memory, memory.capacity(need + align).asByteBuffer().alignedSlice((int) align));
        made++;
        return fresh;
    }

    /** Back to the pool; after {@link #close}, freed (a conversion may have held it while the reads closed). */
    private void recycle(Buffer b) {
        if (closed) {
            b.memory().close();
        } else {
            free.add(b);
        }
    }

    /** Reads bytes [first, at least end) of the file into the buffer with O_DIRECT: whole aligned blocks. */
    private boolean read(FileChannel ch, ByteBuffer into, long first, long end) {
        long last = (end + align - 1) / align * align;
        ByteBuffer view = into.duplicate().clear().limit((int) (last - first));
        try {
            while (first + view.position() < end) {
                if (ch.read(view, first + view.position()) <= 0) {
                    return false;     // the file is shorter than its header says: the mapped file reports it
                }
            }
            return true;              // (the file may end within the last block: reading stops there)
        } catch (IOException | RuntimeException e) {
            return false;             // closed meanwhile, or an I/O error: the mapped file reports it, if it is real
        }
    }

    private void finished(Piece p, long start, long end, long bytes) {
        LayerSpan s = spans.get(p.layer);
        if (s == null) {
            return;
        }
        if (bytes > 0) {
            s.start = Math.min(s.start, start);
            s.end = Math.max(s.end, end);
            s.bytes += bytes;
        }
        if (--s.pending == 0) {
            spans.remove(p.layer);
            log.add(new ReadAhead.Span(p.layer, s.start == Long.MAX_VALUE ? end : s.start, Math.max(s.end, end), s.bytes));
        }
    }

    /** The layers read so far (the most recent few thousand), in the order they were finished. */
    List<ReadAhead.Span> log() {
        return log.list();
    }

    /** Pieces converted from the mapped file because reading them directly failed (a test expects none). */
    synchronized long fromMapping() {
        return fromMapping;
    }

    /** Tensors converted from the pieces read for them. */
    synchronized long served() {
        return served;
    }

    /** Pieces dropped because their tensor was not needed ({@link #drop}). */
    synchronized long dropped() {
        return dropped;
    }

    /** Buffers made so far: at most {@link #BUFFERS}, reused after that. */
    synchronized int buffers() {
        return made;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            for (Piece p : queue) {          // none waits forever, and pieces read but never converted free their buffer
                if (p.state == State.READ) {
                    recycle(p.buffer);
                    p.buffer = null;
                }
                p.state = p.state == State.QUEUED || p.state == State.READ ? State.FAILED : p.state;
            }
            notifyAll();
        }
        reader.interrupt();
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channels.values().forEach(DirectReads::closeQuietly);
        synchronized (this) {
            free.forEach(b -> b.memory().close());     // those a conversion holds are freed when it is done
            free.clear();
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // only read from
        }
    }
}
