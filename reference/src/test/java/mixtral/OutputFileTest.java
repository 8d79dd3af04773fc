package mixtral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file appears whole or not at all, and a failed write leaves nothing beside the target. */
class OutputFileTest {
    @TempDir
    Path dir;

    @Test
    void aFailedWriteLeavesNoPartialFileAndKeepsTheOldOne() throws IOException {
        Path target = dir.resolve("t.bin");
        OutputFile.write(target, out -> out.write(new byte[] {1, 2, 3}));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> OutputFile.write(target, out -> {
            out.write(new byte[] {9});
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().startsWith("cannot write " + target + ": disk full"), e.getMessage());
        assertEquals(List.of(target), list(), "no .partial left behind");
        assertEquals(3, Files.size(target), "the previous file is untouched");
    }

    @Test
    void aFolderOrAPathBelowAFileIsRefusedBeforeWriting() throws IOException {
        Files.createDirectories(dir.resolve("folder"));
        Files.writeString(dir.resolve("file"), "x");
        assertTrue(assertThrows(BadInputException.class, () -> OutputFile.write(dir.resolve("folder"), out -> {}))
                .getMessage().endsWith("is a folder; give a file name"));
        assertTrue(assertThrows(BadInputException.class, () -> OutputFile.check(dir.resolve("file/x/y"), "--out"))
                .getMessage().endsWith(dir.resolve("file") + " is a file, not a folder"));
        assertEquals(2, list().size(), "nothing was created");
    }

    private List<Path> list() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
