package mixtral.inspector.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import mixtral.trace.Trace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traces by id: the most recently used ones in memory (bounded in count and bytes), every one on disk as {@code <id>.safetensors} in the data
 * directory (written atomically by the safetensors writer: a temporary file moved into place), so that a restart
 * loses none and a trace URL can be shared. A file that cannot be read is reported once in the log and treated as
 * absent. Without a directory, traces live in memory only (for tests).
 */
public final class TraceStore {
    private static final Logger LOG = LoggerFactory.getLogger(TraceStore.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");

    /** Memory the cached traces may take (their tensors are off-heap, counted at 4 bytes per element). */
    public static final long CACHE_BYTES = 512L << 20;

    private final Path dir;
    private final int capacity;
    private final long maxBytes;
    private final Map<String, Trace> cache = new LinkedHashMap<>(16, 0.75f, true);
    private final Set<String> unreadable = new HashSet<>();
    private long bytes;

    public TraceStore(Path dir, int capacity) {
        this(dir, capacity, CACHE_BYTES);
    }

    /** At most {@code capacity} traces and {@code maxBytes} of tensors in memory; the most recent one always. */
    public TraceStore(Path dir, int capacity, long maxBytes) {
        if (dir != null) {
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new mixtral.BadInputException("cannot create the data directory " + dir + ": " + e.getMessage());
            }
        }
        this.dir = dir;
        this.capacity = capacity;
        this.maxBytes = maxBytes;
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
            trace.write(file(id));
            unreadable.remove(id);
        }
        remember(id, trace);
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
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private Path file(String id) {
        return dir.resolve(id + ".safetensors");
    }
}
