package mixtral.inspector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import mixtral.cli.Main;
import org.junit.jupiter.api.Test;

class InspectCommandTest {

    /** Runs the CLI and returns its exit code and what it printed to stderr. */
    private static String[] run(String... args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new String[] {Integer.toString(code), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(oldErr);
        }
    }

    @Test
    void theInspectCommandIsFoundAsAPlugin() {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(Main.OK, Main.run("inspect", "--help"));
        } finally {
            System.setOut(oldOut);
        }
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--port") && help.contains("--data") && help.contains("--max-tokens"), help);
    }

    @Test
    void aPortThatIsNotANumberIsBadInput() {
        String[] r = run("inspect", "--port", "seventy");
        assertEquals("2", r[0]);
        assertTrue(r[1].contains("--port"), r[1]);
    }

    @Test
    void aPortOutOfRangeIsBadInputInOneLine() {
        String[] r = run("inspect", "--port", "70000");
        assertEquals("2", r[0]);
        assertEquals(1, r[1].strip().lines().count(), r[1]);
    }

    @Test
    void aPortInUseIsBadInputInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String[] r = run("inspect", "--port", Integer.toString(taken.getLocalPort()));
            assertEquals("2", r[0], r[1]);
            assertTrue(r[1].contains(Integer.toString(taken.getLocalPort())), r[1]);
            assertEquals(1, r[1].strip().lines().count(), r[1]);
        }
    }

    @Test
    void aTokenCapBelowOneIsBadInput() {
        String[] r = run("inspect", "--max-tokens", "0");
        assertEquals("2", r[0]);
        assertTrue(r[1].contains("--max-tokens"), r[1]);
    }

    @Test
    void aNegativeQueueIsBadInput() {
        assertEquals("2", run("inspect", "--queue", "-1")[0]);
    }

    @Test
    void aMissingModelFolderIsBadInput() {
        String[] r = run("inspect", "--port", "0", "--model", "/nonexistent/model-dir");
        assertEquals("2", r[0], r[1]);
    }
}
