package mixtral.inspector.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import mixtral.trace.Trace;

/**
 * Traces by id: the most recently used ones in memory, every one on disk as {@code <id>.safetensors} in the data
 * directory (written atomically by the safetensors writer), so that a restart loses none and a trace URL can be
 * shared. Without a directory, traces live in memory only (for tests).
 */
public final class TraceStore {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");

    private final Path dir;
    private final Map<String, Trace> cache;

    public TraceStore(Path dir, int capacity) {
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
        if (t == null && dir != null && Files.isRegularFile(file(id))) {
            t = Trace.read(file(id));
            cache.put(id, t);
        }
        return Optional.ofNullable(t);
    }

    public synchronized void put(String id, Trace trace) {
        if (dir != null) {
            trace.write(file(id));
        }
        cache.put(id, trace);
    }

    /** The trace's file, if it was written to disk. */
    public Optional<Path> fileOf(String id) {
        return isId(id) && dir != null && Files.isRegularFile(file(id)) ? Optional.of(file(id)) : Optional.empty();
    }

    private Path file(String id) {
        return dir.resolve(id + ".safetensors");
    }
}
