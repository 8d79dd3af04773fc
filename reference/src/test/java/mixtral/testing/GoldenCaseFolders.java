package mixtral.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;

/**
 * The golden cases' folders (golden/cases, see golden/README.md) as every module's tests find them: a case is a folder
 * holding the published implementation's {@code golden.safetensors}.
 */
public final class GoldenCaseFolders {
    public static final String GOLDEN_FILE = "golden.safetensors";

    private GoldenCaseFolders() {}

    /** The case folders directly below {@code parent}, sorted; fails, saying {@code remedy}, when there is none. */
    public static List<Path> under(Path parent, String remedy) {
        List<Path> dirs = List.of();
        if (Files.isDirectory(parent)) {
            try (Stream<Path> list = Files.list(parent)) {
                dirs = list.filter(d -> Files.isRegularFile(d.resolve(GOLDEN_FILE))).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (dirs.isEmpty()) {
            throw new IllegalStateException("no golden cases under " + parent.toAbsolutePath() + ": " + remedy);
        }
        return dirs;
    }

    /** The token ids the published implementation ran for the case in {@code dir}. */
    public static long[] tokens(Path dir) {
        return Trace.read(dir.resolve(GOLDEN_FILE)).get(TensorNames.TOKENS).toLongVector();
    }
}
