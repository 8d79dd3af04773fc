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
 * Traces by id: the most recently used ones in memory, every one on disk as {@code <id>.safetensors} in the data
 * directory (written atomically by the safetensors writer: a temporary file moved into place), so that a restart
 * loses none and a trace URL can be shared. A file that cannot be read is reported once in the log and treated as
 * absent. Without a directory, traces live in memory only (for tests).
 */
public final class TraceStore {
    private static final Logger LOG = LoggerFactory.getLogger(TraceStore.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");

    private final Path dir;
    private final Map<String, Trace> cache;
    private final Set<String> unreadable = new HashSet<>();

    public TraceStore(Path dir, int capacity) {
        if (dir != null) {
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new mixtral.BadInputException("cannot create the data directory " + dir + ": " + e.getMessage());
            }
        }
        this.dir = dir;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Trace> eldest) {
                return size() > capacity;
            }
        };
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
                cache.put(id, t);
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
        cache.put(id, trace);
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
