package mixtral.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import mixtral.BadInputException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The command line's contract for bad input, one row per way to get it wrong: exit code 2 and one line on stderr
 * that says what is wrong, never an internal error or a stack trace. Files come from {@link MalformedInputs};
 * {@code {d}} in an argument is their folder. Rows whose input is large (a huge config, 100,000 tokens) pass only
 * because the check refuses before allocating.
 */
class MalformedInputCliTest {
    @TempDir
    static Path d;

    @BeforeAll
    static void writeFixtures() throws IOException {
        MalformedInputs.write(d);
    }

    static Stream<Arguments> rows() {
        String tokens100k = "5,".repeat(99_999) + "5";
        String prompt5k = "hello world this is a test ".repeat(900);
        return Stream.of(
                // configurations with absurd sizes
                row("weight tensors; at most 131,072", "params", "--config", "{d}/experts.json"),
                row("num_hidden_layers=1000000000", "params", "--config", "{d}/billion-layers.json"),
                row("overflow a 64-bit count", "params", "--config", "{d}/overflow.json"),
                row("exceed the largest array dimension", "params", "--config", "{d}/heads.json"),
                row("is a folder", "params", "--config", "{d}/folder"),
                row("no such file", "params", "--config", "{d}/missing.json"),
                row("not readable JSON", "params", "--config", "{d}/broken.json"),
                row("expected a JSON object", "params", "--config", "{d}/array.json"),
                row("no config.json or params.json", "params", "--model", "{d}/folder"),
                // random-checkpoint: arguments, output folder, what the machine can hold
                row("--shards must be at least 1", "random-checkpoint", "--out", "{d}/new1", "--shards", "0"),
                row("--shards must be at least 1", "random-checkpoint", "--out", "{d}/new2", "--shards", "-3"),
                row("1000 shards for only 65 tensors", "random-checkpoint", "--out", "{d}/new3", "--shards", "1000"),
                row("--router-scale must be a finite number", "random-checkpoint", "--out", "{d}/new4", "--router-scale", "NaN"),
                row("--router-scale must be a finite number", "random-checkpoint", "--out", "{d}/new5", "--router-scale", "-1"),
                row("is a file, not a folder", "random-checkpoint", "--out", "{d}/file/below"),
                row("is a file, not a folder", "random-checkpoint", "--out", "{d}/file"),
                row("is not empty", "random-checkpoint", "--out", "{d}/full"),
                row("186.8 GB", "random-checkpoint", "--out", "{d}/new6", "--config", "{d}/8x7b.json"),
                row("largest Java array", "random-checkpoint", "--out", "{d}/new7", "--config", "{d}/vocab.json"),
                row("cannot tie the LM head", "random-checkpoint", "--out", "{d}/new8", "--config", "{d}/tied.json", "--layout", "mistral"),
                row("--dtype must be F32, BF16 or F16", "random-checkpoint", "--out", "{d}/new9", "--dtype", "I64"),
                row("--layout must be hf or mistral", "random-checkpoint", "--out", "{d}/new10", "--layout", "gguf"),
                // trace and generate: outputs, lengths, memory
                row("is a folder; give a file name", "trace", "--model", "{d}/tiny", "--tokens", "1", "--out", "{d}/folder"),
                row("is a file, not a folder", "trace", "--model", "{d}/tiny", "--tokens", "1", "--out", "{d}/file/t.safetensors"),
                row("matches no tensor of this model", "trace", "--model", "{d}/tiny", "--tokens", "1", "--out", "{d}/t.safetensors",
                        "--record", "layers.7.moe.out"),
                row("exceed the 4,096 positions", "trace", "--prompt", prompt5k, "--out", "{d}/t.safetensors"),
                row("17 tokens exceed the 16 positions", "trace", "--model", "{d}/short", "--tokens",
                        "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", "--out", "{d}/t.safetensors"),
                row("--max-new-tokens 1,000,000,000 exceed", "generate", "--model", "{d}/tiny", "--tokens", "1",
                        "--max-new-tokens", "1000000000"),
                row("--max-new-tokens must be 0 or more", "generate", "--model", "{d}/tiny", "--tokens", "1", "--max-new-tokens", "-1"),
                row("temperature must be 0 (greedy) or positive", "generate", "--model", "{d}/tiny", "--tokens", "1",
                        "--max-new-tokens", "1", "--temperature", "NaN"),
                row("top-p must be in (0, 1]", "generate", "--model", "{d}/tiny", "--tokens", "1", "--max-new-tokens", "1", "--top-p", "2"),
                row("outside the vocabulary", "trace", "--model", "{d}/tiny", "--tokens", "1,256", "--out", "{d}/t.safetensors"),
                row("100,000 tokens need about", "trace", "--model", "{d}/long", "--tokens", tokens100k, "--out", "{d}/t.safetensors",
                        "--record", "routing"),
                row("--memory-budget: not a size", "trace", "--model", "{d}/tiny", "--tokens", "1", "--out", "{d}/t.safetensors",
                        "--memory-budget", "lots"),
                row("--memory-budget must be more than 0", "generate", "--model", "{d}/tiny", "--tokens", "1", "--max-new-tokens", "1",
                        "--memory-budget", "0"),
                row("is not a long", "trace", "--model", "{d}/tiny", "--tokens", "1,x", "--out", "{d}/t.safetensors"),
                // checkpoints broken in one place
                row("holds NaN at row 0, column 70", "trace", "--model", "{d}/nan", "--tokens", "1", "--out", "{d}/t.safetensors"),
                row("holds Infinity at row 5, column 3", "trace", "--model", "{d}/inf", "--tokens", "1,5", "--out", "{d}/t.safetensors",
                        "--memory-budget", "1k"),
                row("not a file name in the model folder", "trace", "--model", "{d}/nul", "--tokens", "1", "--out", "{d}/t.safetensors"),
                row("weight tensors; at most", "trace", "--model", "{d}/layers", "--tokens", "1", "--out", "{d}/t.safetensors"),
                row("chooses expert 0.5", "trace", "--model", "{d}/tiny", "--tokens", "1,5,9", "--out", "{d}/t.safetensors",
                        "--replay-routing", "{d}/experts-half.safetensors"),
                row("layer 9 does not exist", "trace", "--model", "{d}/tiny", "--tokens", "1,5,9", "--out", "{d}/t.safetensors",
                        "--force-experts", "9:0:1,2"),
                // safetensors read strictly
                row("data_offsets must be two integers", "compare", "{d}/offsets-strings.safetensors", "{d}/a.safetensors"),
                row("data_offsets must be two integers", "compare", "{d}/offsets-floats.safetensors", "{d}/a.safetensors"),
                row("bytes after the last tensor", "compare", "{d}/trailing.safetensors", "{d}/a.safetensors"),
                row("belong to no tensor (the format allows no gaps)", "compare", "{d}/gap.safetensors", "{d}/a.safetensors"),
                row("__metadata__ must be an object of strings", "compare", "{d}/metadata-list.safetensors", "{d}/a.safetensors"),
                row("__metadata__ 'format' must be a string", "compare", "{d}/metadata-number.safetensors", "{d}/a.safetensors"),
                row("__metadata__ 'a' must be a string", "compare", "{d}/metadata-nested.safetensors", "{d}/a.safetensors"),
                row("header length", "compare", "{d}/garbage", "{d}/a.safetensors"),
                // compare: traces that are no traces of the format
                row("expected [T, V]", "compare", "{d}/a.safetensors", "{d}/logits-1d.safetensors"),
                row("expected [T, V]", "compare", "{d}/logits-scalar.safetensors", "{d}/a.safetensors"),
                row("is empty (shape [0])", "compare", "{d}/a.safetensors", "{d}/logits-empty.safetensors"),
                row("is empty (shape [0, 256])", "compare", "{d}/zero-tokens.safetensors", "{d}/zero-tokens.safetensors"),
                row("covers 3 tokens", "compare", "{d}/a.safetensors", "{d}/router-short.safetensors"),
                row("chooses expert 9, not one of 0..7", "compare", "{d}/a.safetensors", "{d}/experts-9.safetensors"),
                row("no tensor in common", "compare", "{d}/a.safetensors", "{d}/unrelated.safetensors"),
                row("tolerances must be finite", "compare", "{d}/a.safetensors", "{d}/a.safetensors", "--atol", "NaN"),
                row("--junit", "compare", "{d}/a.safetensors", "{d}/a.safetensors", "--junit", "{d}/folder"),
                row("no such file", "compare", "{d}/missing.safetensors", "{d}/a.safetensors"),
                // the other commands
                row("not a SentencePiece model", "tokenize", "--tokenizer", "{d}/garbage", "--", "hi"),
                row("is a file, not a folder", "stream-bench", "--dir", "{d}/file"),
                row("is not empty", "stream-bench", "--dir", "{d}/full"),
                row("is a folder; give a file name", "bench", "--out", "{d}/folder"),
                row("--windows must be at least 1", "evidence", "--windows", "0"),
                row("REPO must look like owner/name", "download", "not a repo"),
                row("Unmatched argument", "no-such-command"),
                row("Missing required option: '--out=FILE'", "trace", "--tokens", "1"));
    }

    private static Arguments row(String phrase, String... args) {
        String name = String.join(" ", args).replace("{d}/", "");
        return Arguments.of(name.length() > 90 ? name.substring(0, 90) + "..." : name, phrase, args);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void badInputIsOneLineAndExitCodeTwo(String name, String phrase, String[] args) {
        String[] resolved = Arrays.stream(args).map(a -> a.replace("{d}", d.toString())).toArray(String[]::new);
        String[] r = CliTest.run(resolved);
        String err = r[2].strip();
        assertEquals("2", r[0], err);
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("mixtral: "), err);
        assertTrue(err.contains(phrase), "should say '" + phrase + "': " + err);
        assertFalse(err.contains("internal error") || err.contains("Exception") || err.contains("\tat "), err);
    }

    static Stream<Arguments> exceptions() {
        Path p = Path.of("x.safetensors");
        return Stream.of(
                Arguments.of(new BadInputException("config: bad"), 2, "config: bad"),
                Arguments.of(new NoSuchFileException(p.toString()), 2, "x.safetensors: no such file or folder"),
                Arguments.of(new AccessDeniedException(p.toString()), 2, "x.safetensors: permission denied"),
                Arguments.of(new FileSystemException(p.toString(), null, "Is a directory"), 2, "x.safetensors: Is a directory"),
                Arguments.of(new UncheckedIOException("cannot write x: it is read-only", new FileSystemException("x")), 2,
                        "cannot write x: it is read-only"),
                Arguments.of(new InvalidPathException("a\0b", "Nul character not allowed"), 2, "not a usable path"),
                Arguments.of(new IOException("No space left on device"), 1, "I/O error: No space left on device"),
                Arguments.of(new UncheckedIOException(new IOException("Input/output error")), 1, "I/O error"));
    }

    /** The one place that sorts exceptions: what the user can fix is exit 2, the disk failing is exit 1, both one line. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("exceptions")
    void exceptionsAreSortedIntoUserErrorsAndFailures(Exception e, int code, String phrase) {
        StringWriter out = new StringWriter();
        assertEquals(code, Main.report(e, new PrintWriter(out, true)));
        assertEquals(1, out.toString().strip().lines().count(), out.toString());
        assertTrue(out.toString().contains(phrase), out.toString());
    }

    @Test
    void aBugStillShowsItsStackTrace() {
        StringWriter out = new StringWriter();
        assertEquals(1, Main.report(new IllegalStateException("a bug"), new PrintWriter(out, true)));
        assertTrue(out.toString().startsWith("mixtral: internal error: java.lang.IllegalStateException: a bug"), out.toString());
        assertTrue(out.toString().contains("\tat "), "the stack trace is kept for bugs");
    }

    @Test
    void aRefusedRunLeavesNothingBehind() {
        Path checkpoint = d.resolve("refused-checkpoint");
        Path trace = d.resolve("refused.safetensors");
        assertEquals("2", CliTest.run("random-checkpoint", "--out", checkpoint.toString(), "--config",
                d.resolve("8x7b.json").toString())[0]);
        assertEquals("2", CliTest.run("trace", "--model", d.resolve("nan").toString(), "--tokens", "1", "--out",
                trace.toString())[0]);
        assertFalse(Files.exists(checkpoint), "refused before any file was written");
        assertFalse(Files.exists(trace), "no trace of a refused run");
        assertFalse(Files.exists(d.resolve("new6")));
    }
}
