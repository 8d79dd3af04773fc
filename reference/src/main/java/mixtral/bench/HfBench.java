package mixtral.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mixtral.BadInputException;

/**
 * Runs the published Hugging Face implementation on the same checkpoint and tokens, through golden/bench_hf.py in a
 * Python subprocess with the same thread count: loaded once, one forward pass per command, so that it can take turns
 * with this model run by run.
 */
public final class HfBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What ran on the Hugging Face side, and its timing per figure name. */
    public record Result(String torch, String transformers, int threads, Map<String, Timing> figures,
                         Map<String, double[]> gemmMs) {}

    private final String python;
    private final Path script;

    public HfBench(String python, Path script) {
        if (!Files.isRegularFile(script)) {
            throw new BadInputException("--hf-script " + script + ": no such file (run from the repository root, "
                    + "or pass --no-hf to time this model alone)");
        }
        this.python = python;
        this.script = script;
    }

    /**
     * Starts the published code on this checkpoint. {@code sameEnvironment}: with this process's environment (OpenMP
     * settings included); otherwise without OMP_WAIT_POLICY, as the published code runs when nobody sets it.
     */
    Server serve(Path checkpoint, int threads, boolean sameEnvironment) throws IOException {
        Path reqFile = Files.createTempFile("bench-hf", ".json");
        Path errFile = Files.createTempFile("bench-hf", ".log");
        JSON.writeValue(reqFile.toFile(), JSON.createObjectNode().put("model", checkpoint.toString())
                .put("threads", threads));
        ProcessBuilder pb = new ProcessBuilder(python, script.toString(), reqFile.toString())
                .redirectError(errFile.toFile());
        pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
        pb.environment().put("MKL_NUM_THREADS", String.valueOf(threads));
        if (!sameEnvironment) {
            pb.environment().remove("OMP_WAIT_POLICY");
        }
        return new Server(pb.start(), reqFile, errFile);
    }

    /**
     * The published code, loaded and waiting for one command at a time (one JSON line each way). Each answer is the
     * time the Python side measured around the forward pass, and its peak resident set during it.
     */
    final class Server implements AutoCloseable {
        private final Process process;
        private final Path reqFile;
        private final Path errFile;
        private final BufferedReader answers;
        private final Writer commands;
        private JsonNode about;                                 // its first line, once it has loaded
        private final Map<String, List<Double>> ms = new LinkedHashMap<>();
        private final Map<String, Long> rss = new LinkedHashMap<>();

        private Server(Process process, Path reqFile, Path errFile) throws IOException {
            this.process = process;
            this.reqFile = reqFile;
            this.errFile = errFile;
            this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        /** Waits until the model is loaded (it loads while this process loads its own). */
        void awaitLoaded() throws IOException {
            if (about == null) {
                about = answer();
            }
        }

        /** One prefill of these ids, kept under the figure's name when {@code keep}, else a warm-up. */
        void prefill(String figure, long[] ids, boolean keep) throws IOException {
            record(figure, keep, ask(JSON.createObjectNode().set("prefill", JSON.valueToTree(ids))));
        }

        /** Starts the decode cache with this prompt (not timed as a figure). */
        void decodePrompt(long[] ids) throws IOException {
            ask(JSON.createObjectNode().set("decode_prompt", JSON.valueToTree(ids)));
        }

        /** One decoded token with the cache, kept under the figure's name when {@code keep}. */
        void decodeToken(String figure, long id, boolean keep) throws IOException {
            record(figure, keep, ask(JSON.createObjectNode().put("decode_token", id)));
        }

        /** Best milliseconds of torch.nn.functional.linear on this shape. */
        double gemmMs(GemmShape shape) throws IOException {
            ObjectNode cmd = JSON.createObjectNode().put("runs", GemmShape.RUNS);
            cmd.set("gemm", JSON.valueToTree(List.of(shape)));
            return ask(cmd).get("ms").get(0).asDouble();
        }

        /**
         * Every figure with this side alone, nothing taking turns with it: each prefill {@code warmup} times untimed
         * and {@code reps} times timed; decode after its prompt, one time per token past the first {@code warmup}.
         */
        Result alone(Map<Figure, long[]> prompts, long[] decodeTokens, int warmup, int reps) throws IOException {
            for (Map.Entry<Figure, long[]> e : prompts.entrySet()) {
                Figure f = e.getKey();
                if (f.decode()) {
                    decodePrompt(e.getValue());
                    for (int i = 0; i < decodeTokens.length; i++) {
                        decodeToken(f.name(), decodeTokens[i], i >= warmup);
                    }
                } else {
                    for (int i = 0; i < warmup + reps; i++) {
                        prefill(f.name(), e.getValue(), i >= warmup);
                    }
                }
            }
            return result(Map.of());
        }

        /** Everything kept so far, with the gemm times given. */
        Result result(Map<String, double[]> gemmMs) throws IOException {
            awaitLoaded();
            Map<String, Timing> figures = new LinkedHashMap<>();
            ms.forEach((f, times) -> figures.put(f, new Timing(times, new Timing.Memory(-1, -1, rss.get(f)))));
            return new Result(about.get("torch").asText(), about.get("transformers").asText(),
                    about.get("threads").asInt(), figures, gemmMs);
        }

        private void record(String figure, boolean keep, JsonNode answer) {
            if (keep) {
                ms.computeIfAbsent(figure, f -> new ArrayList<>()).add(answer.get("ms").asDouble());
                rss.merge(figure, answer.get("peak_rss_bytes").asLong(), Math::max);
            }
        }

        private JsonNode ask(ObjectNode command) throws IOException {
            awaitLoaded();
            try {
                commands.write(JSON.writeValueAsString(command) + "\n");
                commands.flush();
            } catch (IOException e) {
                throw failed();
            }
            return answer();
        }

        private JsonNode answer() throws IOException {
            String line = answers.readLine();
            if (line == null) {
                throw failed();
            }
            return JSON.readTree(line);
        }

        private BadInputException failed() throws IOException {
            List<String> err = Files.readAllLines(errFile);
            return new BadInputException("the Hugging Face benchmark (" + python + " " + script + ") stopped: " + String.join("\n  ", err.subList(Math.max(0, err.size() - 15), err.size())));
        }

        @Override
        public void close() throws IOException {
            try {
                commands.close();                   // the script ends when its stdin does
            } catch (IOException e) {
                // it has already stopped
            }
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            } finally {
                Files.deleteIfExists(reqFile);
                Files.deleteIfExists(errFile);
            }
        }
    }
}
