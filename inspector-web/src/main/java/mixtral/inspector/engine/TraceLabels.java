package mixtral.inspector.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.Normalizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import mixtral.BadInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The label a person gave a trace ({@code fr}, {@code code}, {@code médecine}), by trace id, for the paper's Figure 7
 * by label. Kept beside the traces in the data directory as {@value #FILE} (an object of id to label, in the order the
 * traces were labelled), rewritten whole through a temporary file and an atomic move; in memory only without a
 * directory. The file may name traces of other models sharing the directory: whoever reads a label checks the trace.
 */
public final class TraceLabels {
    private static final Logger LOG = LoggerFactory.getLogger(TraceLabels.class);
    static final String FILE = "labels.json";
    /** Longest label, in characters (code points). */
    public static final int MAX_LENGTH = 32;
    /** Letters of any script with their accents, digits, and a few joiners; no comma, which separates labels. */
    private static final Pattern ALLOWED = Pattern.compile("[\\p{L}\\p{M}\\p{N} ._+#'-]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<String, String> labels = new LinkedHashMap<>();

    /** The labels kept in {@code dir} (none yet if it has no file, or an unreadable one, which is logged). */
    TraceLabels(Path dir) {
        this.file = dir == null ? null : dir.resolve(FILE);
        if (file != null && Files.isRegularFile(file)) {
            try {
                labels.putAll(JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, String>>() {}));
            } catch (IOException | RuntimeException e) {
                LOG.warn("ignoring unreadable labels file {}: {}", file, e.getMessage());
            }
        }
    }

    /**
     * A label as given, refused in one line unless it is 1 to {@value #MAX_LENGTH} characters of letters (any
     * language), digits, spaces and {@code . _ + # ' -}, starting with a letter or digit and not ending in a space.
     * Returned in Unicode NFC, so {@code é} typed as e and an accent is the same label as {@code é}.
     */
    public static String check(String label) {
        if (label == null) {
            throw new BadInputException("label is required: a short text such as \"fr\" or \"code\"");
        }
        String s = Normalizer.normalize(label, Normalizer.Form.NFC);
        int length = s.codePointCount(0, s.length());
        if (length == 0 || length > MAX_LENGTH) {
            throw new BadInputException("label must be 1 to " + MAX_LENGTH + " characters, got " + length);
        }
        if (!ALLOWED.matcher(s).matches()) {
            int bad = s.codePoints().filter(c -> !ALLOWED.matcher(Character.toString(c)).matches()).findFirst()
                    .orElseThrow();
            throw new BadInputException("label may hold letters, digits, spaces and . _ + # ' - only, not "
                    + String.format("U+%04X", bad));
        }
        if (!Character.isLetterOrDigit(s.codePointAt(0)) || s.endsWith(" ")) {
            throw new BadInputException("label must start with a letter or digit and not end in a space: \"" + s + "\"");
        }
        return s;
    }

    /** The labels by trace id, in the order they were given. */
    public synchronized Map<String, String> all() {
        return new LinkedHashMap<>(labels);
    }

    synchronized void put(String id, String label) {
        Map<String, String> next = new LinkedHashMap<>(labels);
        next.remove(id);
        next.put(id, check(label));
        save(next);
    }

    /** Whether the trace had a label. */
    synchronized boolean remove(String id) {
        if (!labels.containsKey(id)) {
            return false;
        }
        Map<String, String> next = new LinkedHashMap<>(labels);
        next.remove(id);
        save(next);
        return true;
    }

    private void save(Map<String, String> next) {
        if (file != null) {
            try {
                Path tmp = Files.createTempFile(file.getParent(), "." + FILE + ".", TraceStore.PARTIAL);
                JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), next);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
        }
        labels.clear();
        labels.putAll(next);
    }
}
