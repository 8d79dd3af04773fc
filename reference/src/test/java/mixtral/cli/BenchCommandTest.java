package mixtral.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench command end to end on a tiny checkpoint; what it measures is for docs/performance.md, not for tests. */
class BenchCommandTest {

    @Test
    void benchOfATinyCheckpointPrintsEveryFigureWithEachRecordingAndTheGoals(@TempDir Path dir) throws Exception {
        assertEquals("0", CliTest.run("random-checkpoint", "--out", dir.resolve("m").toString())[0]);
        String[] r = CliTest.run("bench", "--model", dir.resolve("m").toString(), "--prefill", "4,8",
                "--decode-prompt", "3", "--decode-steps", "3", "--reps", "2", "--warmup", "1", "--no-hf",
                "--out", dir.resolve("table.md").toString());
        assertEquals("0", r[0], r[2]);
        for (String figure : new String[] {"prefill_4", "prefill_8", "decode"}) {
            for (String recording : new String[] {"off", "routing", "all"}) {
                assertTrue(r[1].contains("| " + figure + " | " + recording + " | "), figure + " " + recording + ":\n" + r[1]);
            }
            assertTrue(r[1].contains("- " + figure + ": routing-only recording"), r[1]);
        }
        for (String product : new String[] {"q, o projections", "k, v projections", "expert w1, w3", "expert w2",
                "LM head", "**all products**"}) {
            assertTrue(r[1].contains("| prefill_8 | " + product + " |"), product + " timed alone:\n" + r[1]);
        }
        assertFalse(r[1].contains("| decode | LM head |"), "decode has no table of products alone");
        assertTrue(r[1].contains("Machine: ") && r[1].contains("load average"), r[1]);
        assertEquals(r[1], Files.readString(dir.resolve("table.md")));
        assertTrue(Files.isDirectory(dir.resolve("m")), "a checkpoint given with --model is kept");
    }

    @Test
    void decodeStepsMustOutnumberTheWarmUp(@TempDir Path dir) {
        String[] r = CliTest.run("bench", "--model", dir.toString(), "--decode-steps", "2", "--warmup", "2", "--no-hf");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--decode-steps (2) must be more than --warmup (2)"), r[2]);
    }

    @Test
    void aMissingHuggingFaceScriptIsNamed(@TempDir Path dir) {
        String[] r = CliTest.run("bench", "--model", dir.toString(), "--hf-script", dir.resolve("nope.py").toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("nope.py: no such file") && r[2].contains("--no-hf"), r[2]);
    }
}
