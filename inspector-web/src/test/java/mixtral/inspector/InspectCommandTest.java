package mixtral.inspector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import mixtral.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
    void withoutOptionsItServesTheDemoModelOnLoopbackWithTheExampleTraceReady(@TempDir Path data) throws Exception {
        InspectCommand cmd = new InspectCommand();
        new CommandLine(cmd).parseArgs("--port", "0", "--data", data.toString());
        InspectCommand.Started s = cmd.start();
        try {
            assertTrue(s.url().startsWith("http://127.0.0.1:"), s.url());
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(s.url() + "api/model")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            String example = new ObjectMapper().readTree(r.body()).get("exampleTraceId").asText();
            assertTrue(Files.isRegularFile(data.resolve(example + ".safetensors")), "example trace " + example);
        } finally {
            s.app().stop();
        }
        assertEquals(0, s.stopped().getCount(), "stopping the server ends the command");
    }

    @Test
    void aCheckpointLargerThanTheMemoryBudgetIsServedStreamedWithoutEvidence(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("m");
        assertEquals(Main.OK, Main.run("random-checkpoint", "--out", m.toString(), "--dtype", "BF16"));
        InspectCommand cmd = new InspectCommand();
        new CommandLine(cmd).parseArgs("--port", "0", "--data", dir.resolve("data").toString(), "--model", m.toString(),
                "--memory-budget", "64k");
        InspectCommand.Started s = cmd.start();
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.url() + "api/traces"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"tokens\": [1, 5, 9, 200]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, r.statusCode(), r.body());
            HttpResponse<String> model = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(s.url() + "api/model")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("false", new ObjectMapper().readTree(model.body()).get("randomWeights").asText(),
                    "nothing in a checkpoint folder says its weights are random");
            HttpResponse<String> evidence = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(s.url() + "api/evidence")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, evidence.statusCode(), evidence.body());
        } finally {
            s.app().stop();
        }
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
