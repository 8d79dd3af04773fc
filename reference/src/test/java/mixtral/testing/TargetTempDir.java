package mixtral.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Temporary folders under target/ instead of the system's: some machines keep that on tmpfs, which refuses O_DIRECT,
 * and the direct-read tests must read past the page cache. JUnit deletes them as it does its own.
 * Use: {@code @TempDir(factory = TargetTempDir.class)}.
 */
public final class TargetTempDir implements TempDirFactory {
    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension) throws IOException {
        return Files.createTempDirectory(Files.createDirectories(Path.of("target")), "junit");
    }
}
