package mixtral.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mixtral.trace.Trace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    private static final Path CONFIGS = Path.of("src/main/resources/configs");

    /** Runs the command line and returns [exit code, stdout, stderr]. */
    static String[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new String[] {String.valueOf(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void paramsOfMixtral8x7bAre46point7BillionTotalAnd12point9BillionActive() {
        String[] r = run("params", "--config", CONFIGS.resolve("mixtral-8x7b-v0.1.json").toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("46,702,792,704") && r[1].contains("12,879,925,248"), r[1]);
    }

    /** The published implementation's module, counted on torch's meta device, has these (golden/param_count.py). */
    @Test
    void paramsOfMixtral8x22bMatchThePublishedModule() {
        String[] r = run("params", "--config", CONFIGS.resolve("mixtral-8x22b-v0.1.json").toString());
        assertTrue(r[1].contains("140,620,634,112") && r[1].contains("39,152,031,744"), r[1]);
    }

    @Test
    void traceOfATinyCheckpointWritesEveryTensorOfTheFormat(@TempDir Path dir) {
        assertEquals("0", run("random-checkpoint", "--out", dir.resolve("m").toString())[0]);
        String[] r = run("trace", "--model", dir.resolve("m").toString(), "--tokens", "1,5,9,200",
                "--out", dir.resolve("t.safetensors").toString(), "--attention");
        assertEquals("0", r[0], r[2]);
        Trace t = Trace.read(dir.resolve("t.safetensors"));
        assertEquals(4 + 11 * 2, t.tensors().size(), "4 model-level tensors and 11 per layer: " + t.tensors().keySet());
        assertEquals("mixtral-trace", t.metadata().get("format"));
        assertEquals(64, t.config().hiddenSize());
    }

    @Test
    void traceCanRecordRoutingOnly(@TempDir Path dir) {
        run("random-checkpoint", "--out", dir.resolve("m").toString(), "--layout", "mistral", "--dtype", "BF16");
        run("trace", "--model", dir.resolve("m").toString(), "--tokens", "1,5,9",
                "--out", dir.resolve("t.safetensors").toString(), "--record", "routing");
        assertEquals(1 + 4 * 2, Trace.read(dir.resolve("t.safetensors")).tensors().size());
        run("trace", "--model", dir.resolve("m").toString(), "--tokens", "1,5,9",
                "--out", dir.resolve("p.safetensors").toString(), "--record", "layers.1.moe.*", "logits");
        assertEquals(List.of("layers.1.moe.router_logits", "layers.1.moe.router_probs", "layers.1.moe.selected_experts",
                "layers.1.moe.routing_weights", "layers.1.moe.out", "logits"),
                List.copyOf(Trace.read(dir.resolve("p.safetensors")).tensors().keySet()));
    }

    @Test
    void generateJsonHasPromptAndNewTokens(@TempDir Path dir) throws Exception {
        run("random-checkpoint", "--out", dir.resolve("m").toString());
        String[] r = run("generate", "--model", dir.resolve("m").toString(), "--tokens", "1,5,9",
                "--max-new-tokens", "4", "--json");
        JsonNode json = new ObjectMapper().readTree(r[1]);
        assertEquals(3, json.get("prompt_tokens").size());
        assertEquals(4, json.get("new_tokens").size());
    }

    @Test
    void badInputExitsTwoWithOneLine(@TempDir Path dir) throws Exception {
        String[] missing = run("trace", "--model", dir.resolve("none").toString(), "--tokens", "1", "--out",
                dir.resolve("t.safetensors").toString());
        assertEquals("2", missing[0]);
        assertEquals(1, missing[2].strip().lines().count(), missing[2]);
        assertTrue(missing[2].startsWith("mixtral: "), missing[2]);

        run("random-checkpoint", "--out", dir.resolve("m").toString());
        String[] outside = run("trace", "--model", dir.resolve("m").toString(), "--tokens", "1,9999", "--out",
                dir.resolve("t.safetensors").toString());
        assertEquals("2", outside[0]);
        assertTrue(outside[2].contains("token id 9999 at position 1"), outside[2]);
        assertTrue(Files.notExists(dir.resolve("t.safetensors")), "no trace file is left behind");

        assertEquals("2", run("trace", "--model", dir.resolve("m").toString(), "--tokens", "1,x", "--out", "t")[0]);
        assertEquals("2", run("random-checkpoint", "--out", dir.resolve("m").toString())[0], "refuses to overwrite");
    }

    @Test
    void generateFromTextOnTheDemoModelPutsBosFirstAndDecodesWhatItWrote() throws Exception {
        String[] r = run("generate", "--prompt", "Grüß Gott, ça va?", "--max-new-tokens", "3", "--json");
        assertEquals("0", r[0], r[2]);
        JsonNode o = new ObjectMapper().readTree(r[1]);
        assertEquals(1, o.get("prompt_tokens").get(0).asInt(), "BOS first, as the published tokenizer does");
        assertEquals("Grüß Gott, ça va?", o.get("prompt").asText(), "the prompt decodes back to itself");
        assertTrue(o.get("new_tokens").size() >= 1 && o.get("new_tokens").size() <= 3, r[1]);
        assertEquals(o.get("prompt").asText() + o.get("new_text").asText(), o.get("text").asText(), r[1]);
    }

    @Test
    void traceFromTextRecordsOneRowPerTokenIncludingBos(@TempDir Path dir) {
        Path out = dir.resolve("t.safetensors");
        String[] r = run("trace", "--prompt", "Hola", "--out", out.toString(), "--record", "routing");
        assertEquals("0", r[0], r[2]);
        long tokens = Trace.read(out).get("tokens").length();
        assertEquals(mixtral.tokenizer.Tokenizer.demo().encode("Hola", true).length, tokens);
    }

    @Test
    void anEmptyPromptOrBothPromptAndTokensIsBadInput() {
        assertEquals("2", run("generate", "--prompt", "", "--max-new-tokens", "1")[0]);
        assertEquals("2", run("trace", "--prompt", "a", "--tokens", "1", "--out", "t")[0]);
    }

    @Test
    void aTinyMemoryBudgetStreamsTheWeightsAndWritesTheSameTrace(@TempDir Path dir) {
        String m = dir.resolve("m").toString();
        assertEquals("0", run("random-checkpoint", "--out", m, "--dtype", "BF16", "--shards", "2")[0]);
        String[] full = run("trace", "--model", m, "--tokens", "1,5,9,200", "--out", dir.resolve("a.safetensors").toString());
        String[] streamed = run("trace", "--model", m, "--tokens", "1,5,9,200", "--out", dir.resolve("b.safetensors").toString(),
                "--memory-budget", "64k");
        assertEquals("0", full[0], full[2]);
        assertEquals("0", streamed[0], streamed[2]);
        assertTrue(streamed[2].contains("layers"), "a progress bar over the layers: " + streamed[2]);
        Trace a = Trace.read(dir.resolve("a.safetensors"));
        Trace b = Trace.read(dir.resolve("b.safetensors"));
        for (String name : a.tensors().keySet()) {
            assertEquals(a.get(name), b.get(name), name);
        }
        assertEquals("2", run("trace", "--model", m, "--tokens", "1", "--out", "x", "--memory-budget", "lots")[0]);
    }
}
