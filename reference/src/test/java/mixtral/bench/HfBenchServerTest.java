package mixtral.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mixtral.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java side of {@code bench_hf.py}'s protocol, against stand-in servers written in sh (the real one needs
 * torch and the published transformers): one JSON line each way, warm-up runs not kept, and a server that dies
 * reported with what it said on stderr rather than as a hang or a parse error.
 */
class HfBenchServerTest {
    @TempDir
    Path dir;

    private HfBench stub(String body) throws IOException {
        Path script = dir.resolve("server.sh");
        Files.writeString(script, body);
        return new HfBench("/bin/sh", script);
    }

    @Test
    void keepsTheTimedRunsAndTheirPeakMemoryButNotTheWarmUp() throws IOException {
        HfBench hf = stub("""
                echo '{"torch": "1.13", "transformers": "4.38.2", "threads": 2}'
                n=0
                while read -r line; do
                  n=$((n + 1))
                  case "$line" in
                    *gemm*) echo '{"ms": [0.5]}' ;;
                    *) echo "{\\"ms\\": $n.0, \\"peak_rss_bytes\\": $((n * 100))}" ;;
                  esac
                done
                """);
        try (HfBench.Server server = hf.serve(dir, 2, true)) {
            server.awaitLoaded();
            server.prefill("prefill_4", new long[] {1, 2, 3, 4}, false);      // answer 1: warm-up
            server.prefill("prefill_4", new long[] {1, 2, 3, 4}, true);       // answer 2
            server.prefill("prefill_4", new long[] {1, 2, 3, 4}, true);       // answer 3
            server.decodePrompt(new long[] {1, 2});                           // answer 4: not a figure
            server.decodeToken("decode", 7, true);                            // answer 5
            double gemm = server.gemmMs(new GemmShape("q", 4, 8, 8, 2, false));
            HfBench.Result r = server.result(Map.of("prefill_4", new double[] {gemm}));
            assertEquals("1.13", r.torch());
            assertEquals(2, r.threads());
            assertEquals(List.of(2.0, 3.0), r.figures().get("prefill_4").ms());
            assertEquals(300, r.figures().get("prefill_4").memory().rss(), "the peak of the kept runs");
            assertEquals(List.of(5.0), r.figures().get("decode").ms());
            assertEquals(0.5, r.gemmMs().get("prefill_4")[0]);
        }
    }

    @Test
    void aloneItRunsEachFigureWithoutKeepingItsWarmUpAndWithoutTheWaitPolicy() throws IOException {
        HfBench hf = stub("""
                echo "{\\"torch\\": \\"${OMP_WAIT_POLICY:-unset}\\", \\"transformers\\": \\"x\\", \\"threads\\": 2}"
                n=0
                while read -r line; do
                  n=$((n + 1))
                  echo "{\\"ms\\": $n.0, \\"peak_rss_bytes\\": 10}"
                done
                """);
        Map<Figure, long[]> prompts = new java.util.LinkedHashMap<>();
        prompts.put(Figure.prefill(2), new long[] {1, 2});
        prompts.put(Figure.decodeAfter(2), new long[] {1, 2});
        try (HfBench.Server server = hf.serve(dir, 2, false)) {
            HfBench.Result r = server.alone(prompts, new long[] {5, 6, 7}, 2, 3);
            // answers 1-2 warm up and 3-5 are timed; 6 is the decode prompt, tokens 7-8 warm up and 9 is timed
            assertEquals(List.of(3.0, 4.0, 5.0), r.figures().get("prefill_2").ms());
            assertEquals(List.of(9.0), r.figures().get("decode").ms());
            assertEquals("unset", r.torch(), "it runs without OMP_WAIT_POLICY, as the published code does by default");
        }
        assertEquals("PASSIVE", System.getenv("OMP_WAIT_POLICY"), "the build sets it for the tests");
        try (HfBench.Server server = hf.serve(dir, 2, true)) {
            assertEquals("PASSIVE", server.alone(Map.of(), new long[0], 0, 0).torch(), "the same environment as ours");
        }
    }

    @Test
    void aServerThatDiesSaysWhyInsteadOfHanging() throws IOException {
        HfBench hf = stub("""
                echo "ModuleNotFoundError: No module named 'transformers'" >&2
                exit 1
                """);
        try (HfBench.Server server = hf.serve(dir, 2, true)) {
            BadInputException e = assertThrows(BadInputException.class, server::awaitLoaded);
            assertTrue(e.getMessage().contains("server.sh) stopped"), e.getMessage());
            assertTrue(e.getMessage().contains("No module named 'transformers'"), e.getMessage());
        }
    }

    @Test
    void aServerThatDiesMidRunSaysWhyToo() throws IOException {
        HfBench hf = stub("""
                echo '{"torch": "1.13", "transformers": "4.38.2", "threads": 2}'
                read -r line
                echo "RuntimeError: out of memory" >&2
                exit 1
                """);
        try (HfBench.Server server = hf.serve(dir, 2, true)) {
            server.awaitLoaded();
            BadInputException e = assertThrows(BadInputException.class,
                    () -> server.prefill("prefill_4", new long[] {1}, true));
            assertTrue(e.getMessage().contains("RuntimeError: out of memory"), e.getMessage());
        }
    }
}
