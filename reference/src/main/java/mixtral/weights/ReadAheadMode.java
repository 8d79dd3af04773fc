package mixtral.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import mixtral.BadInputException;

/**
 * How a streamed checkpoint brings the next layer's bytes in while the current one computes (see docs/streaming.md).
 * Chosen with {@code -Dmixtral.readAhead=auto|page-cache|direct} (default auto), or per checkpoint.
 */
public enum ReadAheadMode {
    /** Through the page cache, so that the next forward pass finds the bytes in memory: for a checkpoint that fits. */
    PAGE_CACHE,
    /**
     * Past the page cache (O_DIRECT) into a few reused buffers: for a checkpoint larger than the memory, which the page
     * cache cannot keep for the next pass anyway. Where the file system refuses O_DIRECT, the page cache is used.
     */
    DIRECT,
    /** DIRECT when the checkpoint is larger than the memory available now (Linux's MemAvailable), else PAGE_CACHE. */
    AUTO;

    /** Memory the direct reads hold at most, beside the budget of converted weights. */
    public static final long DIRECT_BUFFER_BYTES = DirectReads.BUFFERS * (DirectReads.PIECE + 3 * 4096L);

    /** The mode the system property names, AUTO when unset. */
    public static ReadAheadMode fromSystemProperty() {
        String v = System.getProperty("mixtral.readAhead", "auto");
        for (ReadAheadMode m : values()) {
            if (m.name().replace('_', '-').equalsIgnoreCase(v)) {
                return m;
            }
        }
        throw new BadInputException("-Dmixtral.readAhead=" + v + ": expected auto, page-cache or direct");
    }

    /** PAGE_CACHE or DIRECT for a checkpoint of {@code bytes}. */
    ReadAheadMode resolve(long bytes) {
        if (this != AUTO) {
            return this;
        }
        long available = memAvailable();
        return available > 0 && bytes > available ? DIRECT : PAGE_CACHE;
    }

    /** Bytes of memory available for new work without swapping, page cache included; 0 where unknown. */
    static long memAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    String[] f = line.trim().split("\\s+");
                    return Long.parseLong(f[1]) * (f.length > 2 && f[2].toLowerCase(Locale.ROOT).equals("kb") ? 1024 : 1);
                }
            }
        } catch (IOException | RuntimeException notLinux) {
            // no such file, or a format this does not know: say unknown
        }
        return 0;
    }
}
