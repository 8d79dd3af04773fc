package mixtral.engines.heldout;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import mixtral.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HeldoutSampleCommandTest {
    private static final Path MANIFEST = Path.of("..", "trained-model", "corpus-manifest.json");

    private static HeldoutSampleCommand parsed(String... args) {
        HeldoutSampleCommand c = new HeldoutSampleCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void aSourceTheManifestDoesNotNameIsRefusedInOneLine(@TempDir Path out) {
        HeldoutSampleCommand c = parsed("--sources", "debian-reference-en,klingon", "--manifest", MANIFEST.toString(),
                "--heldout", out.toString(), "--out", out.toString());
        BadInputException e = assertThrows(BadInputException.class, c::call);
        assertTrue(e.getMessage().contains("no source named 'klingon'"), e.getMessage());
    }

    @Test
    void aMissingHeldOutTextNamesTheStepThatWritesIt(@TempDir Path out) {
        HeldoutSampleCommand c = parsed("--sources", "debian-reference-en", "--manifest", MANIFEST.toString(),
                "--heldout", out.toString(), "--out", out.toString());
        BadInputException e = assertThrows(BadInputException.class, c::call);
        assertTrue(e.getMessage().contains("build_corpus.py"), e.getMessage());
    }
}
