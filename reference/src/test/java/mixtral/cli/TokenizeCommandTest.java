package mixtral.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import mixtral.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
    private static final String TEXT = "Grüße aus München, à bientôt 😀";

    @TempDir
    Path dir;

    @Test
    void jsonPrintsExactlyTheIdsAndPiecesOfTheText() throws Exception {
        Tokenizer demo = Tokenizer.demo();
        Output out = run("tokenize", "--tokenizer", demoModelFile().toString(), "--json", "--", TEXT);
        assertEquals(Main.OK, out.code);
        JsonNode obj = new ObjectMapper().readTree(out.stdout);
        assertEquals(2, obj.size(), out.stdout);
        int[] ids = new ObjectMapper().convertValue(obj.get("ids"), int[].class);
        assertArrayEquals(demo.encode(TEXT), ids);
        for (int i = 0; i < ids.length; i++) {
            assertEquals(demo.piece(ids[i]), obj.get("pieces").get(i).asText());
        }
        assertEquals(1, out.stdout.strip().lines().count(), "one JSON object, one line");
    }

    @Test
    void bosIsPrintedOnlyWhenAsked() throws Exception {
        Output out = run("tokenize", "--tokenizer", demoModelFile().toString(), "--bos", "--json", "--", "hello");
        JsonNode obj = new ObjectMapper().readTree(out.stdout);
        assertEquals(1, obj.get("ids").get(0).asInt());
        assertEquals("<s>", obj.get("pieces").get(0).asText());
    }

    @Test
    void tableShowsSpacePiecesAndBytePieces() throws Exception {
        demoModelFile();
        Output out = run("tokenize", "--tokenizer", dir.toString(), "--", "a\tb");    // a model folder works too
        assertEquals(Main.OK, out.code);
        assertTrue(out.stdout.contains("▁a"), out.stdout);
        assertTrue(out.stdout.contains("<0x09>   (byte: control \\t)"), out.stdout);
    }

    @Test
    void missingTokenizerFileIsBadInput() {
        Output out = run("tokenize", "--tokenizer", dir.resolve("nope.model").toString(), "--", "x");
        assertEquals(Main.BAD_INPUT, out.code);
    }

    private Path demoModelFile() throws Exception {
        Path file = dir.resolve("tokenizer.model");
        if (!Files.exists(file)) {
            try (InputStream in = Tokenizer.class.getResourceAsStream("/demo-model/tokenizer.model")) {
                Files.copy(in, file);
            }
        }
        return file;
    }

    private record Output(int code, String stdout) {
    }

    private static Output run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Output(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }
}
