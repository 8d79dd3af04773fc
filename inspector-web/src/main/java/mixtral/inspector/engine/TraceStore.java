package mixtral.inspector.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import mixtral.trace.Trace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traces by id: the most recently used ones in memory (bounded in count and bytes), every one on disk as
 * {@code <id>.safetensors} in the data directory, so that a restart loses none and a trace URL can be shared. A file
 * is written under a temporary {@code .partial} name, forced to the disk and then moved into place, so a crash leaves
 * the old file or the new one, whole; the {@code .partial} files an interrupted write leaves are removed when a store
 * opens the directory. A file that cannot be read is reported once in the log and treated as absent. Without a
 * directory, traces live in memory only (for tests).
 */
public final class TraceStore {
    private static final Logger LOG = LoggerFactory.getLogger(TraceStore.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");
    /** How unfinished files end, ours and the safetensors writer's alike. */
    static final String PARTIAL = ".partial";

    /** Memory the cached traces may take (their tensors are off-heap, counted at 4 bytes per element). */
    public static final long CACHE_BYTES = 512L << 20;

    private final Path dir;
    private final int capacity;
    private final long maxBytes;
    private final Map<String, Trace> cache = new LinkedHashMap<>(16, 0.75f, true);
    private final Set<String> unreadable = new HashSet<>();
    private final TraceLabels labels;
    private long bytes;

    public TraceStore(Path dir, int capacity) {
        this(dir, capacity, CACHE_BYTES);
    }

    /** At most {@code capacity} traces and {@code maxBytes} of tensors in memory; the most recent one always. */
    public TraceStore(Path dir, int capacity, long maxBytes) {
        if (dir != null) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new mixtral.BadInputException("cannot create the data directory " + dir + ": " + e.getMessage());
            }
            removeUnfinished(dir);
        }
        this.dir = dir;
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.labels = new TraceLabels(dir);
    }

    /** The labels people gave the traces (kept in the same directory). */
    public TraceLabels labels() {
        return labels;
    }

    /** Ids are hex digests; anything else (a path, say) is refused before it reaches the file system. */
    public static boolean isId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    public synchronized Optional<Trace> find(String id) {
        if (!isId(id)) {
            return Optional.empty();
        }
        Trace t = cache.get(id);
        if (t == null && dir != null && Files.isRegularFile(file(id)) && !unreadable.contains(id)) {
            try {
                t = Trace.read(file(id));
                remember(id, t);
            } catch (RuntimeException e) {
                unreadable.add(id);
                LOG.warn("ignoring unreadable trace file {}: {}", file(id), e.getMessage());
            }
        }
        return Optional.ofNullable(t);
    }

    public synchronized void put(String id, Trace trace) {
        if (dir != null) {
            writeDurably(id, trace);
            unreadable.remove(id);
        }
        remember(id, trace);
    }

    /** Temporary file, forced to the disk, moved into place, and the directory entry forced too. */
    private void writeDurably(String id, Trace trace) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + id + ".", PARTIAL);
            trace.write(tmp);
            try (FileChannel data = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                data.force(true);
            }
            Files.move(tmp, file(id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            forceDirectory();
        } catch (IOException | RuntimeException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // removed at the next start instead
                }
            }
            throw e instanceof IOException io ? new UncheckedIOException("cannot write trace " + id + " to " + dir
                    + ": " + io.getMessage(), io) : (RuntimeException) e;
        }
    }

    /** Makes the rename itself durable where the platform allows opening a directory (not on Windows). */
    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("cannot force the directory {}: {}", dir, e.getMessage());
        }
    }

    /** Deletes the regular files named {@code *.partial}: what writes cut short by a crash or kill left behind. */
    private static void removeUnfinished(Path dir) {
        try (var files = Files.list(dir)) {
            List<Path> unfinished = files.filter(f -> f.getFileName().toString().endsWith(PARTIAL)
                    && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList();
            for (Path f : unfinished) {
                Files.deleteIfExists(f);
            }
            if (!unfinished.isEmpty()) {
                LOG.info("removed {} unfinished trace file(s) from {}", unfinished.size(), dir);
            }
        } catch (IOException e) {
            LOG.warn("cannot clean unfinished files from {}: {}", dir, e.getMessage());
        }
    }

    /** How many traces are in memory now. */
    public synchronized int cachedCount() {
        return cache.size();
    }

    private void remember(String id, Trace trace) {
        Trace old = cache.put(id, trace);
        bytes += sizeOf(trace) - (old == null ? 0 : sizeOf(old));
        var eldest = cache.entrySet().iterator();
        while (cache.size() > 1 && (cache.size() > capacity || bytes > maxBytes)) {
            bytes -= sizeOf(eldest.next().getValue());
            eldest.remove();
        }
    }

    private static long sizeOf(Trace trace) {
        return trace.tensors().values().stream().mapToLong(a -> a.length() * 4).sum();
    }

    /** The trace's file, if it was written to disk. */
    public Optional<Path> fileOf(String id) {
        return isId(id) && dir != null && Files.isRegularFile(file(id)) ? Optional.of(file(id)) : Optional.empty();
    }

    /** How many trace files the data directory holds (0 without one). */
    public long storedCount() {
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("[0-9a-f]{16}\\.safetensors")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private Path file(String id) {
        return dir.resolve(id + ".safetensors");
    }
}
