package mixtral.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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
 * Python subprocess with the same thread count, and reads back its times.
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
     * Runs the published code once. {@code sameEnvironment}: with this process's environment (OpenMP settings
     * included); otherwise without OMP_WAIT_POLICY, as the published code runs when nobody sets it.
     */
    Result run(Path checkpoint, int threads, int warmup, int reps, Map<Figure, long[]> prompts, long[] decodeTokens,
               Map<Figure, List<GemmShape>> shapes, boolean sameEnvironment) throws IOException, InterruptedException {
        ObjectNode req = JSON.createObjectNode().put("model", checkpoint.toString()).put("threads", threads)
                .put("warmup", warmup).put("reps", reps).put("gemm_runs", GemmShape.RUNS);
        ObjectNode gemm = req.putObject("gemm");
        shapes.forEach((f, list) -> gemm.set(f.name(), JSON.valueToTree(list)));
        ObjectNode prefill = req.putObject("prefill");
        prompts.forEach((f, ids) -> {
            if (f.decode()) {
                ObjectNode d = req.putObject("decode");
                d.set("prompt", JSON.valueToTree(ids));
                d.set("tokens", JSON.valueToTree(decodeTokens));
            } else {
                prefill.set(String.valueOf(f.tokens()), JSON.valueToTree(ids));
            }
        });
        Path reqFile = Files.createTempFile("bench-hf", ".json");
        Path errFile = Files.createTempFile("bench-hf", ".log");
        try {
            JSON.writeValue(reqFile.toFile(), req);
            ProcessBuilder pb = new ProcessBuilder(python, script.toString(), reqFile.toString())
                    .redirectError(errFile.toFile());
            pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
            pb.environment().put("MKL_NUM_THREADS", String.valueOf(threads));
            if (!sameEnvironment) {
                pb.environment().remove("OMP_WAIT_POLICY");
            }
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                List<String> err = Files.readAllLines(errFile);
                throw new BadInputException("the Hugging Face benchmark (" + python + " " + script + ") failed: "
                        + String.join("\n  ", err.subList(Math.max(0, err.size() - 15), err.size())));
            }
            return parse(JSON.readTree(out));
        } finally {
            Files.deleteIfExists(reqFile);
            Files.deleteIfExists(errFile);
        }
    }

    private static Result parse(JsonNode answer) {
        Map<String, Timing> figures = new LinkedHashMap<>();
        answer.get("figures").fields().forEachRemaining(e -> {
            List<Double> ms = new ArrayList<>();
            e.getValue().get("ms").forEach(v -> ms.add(v.asDouble()));
            long rss = e.getValue().get("peak_rss_bytes").asLong();
            figures.put(e.getKey(), new Timing(ms, new Timing.Memory(-1, -1, rss)));
        });
        Map<String, double[]> gemm = new LinkedHashMap<>();
        answer.path("gemm").fields().forEachRemaining(e -> {
            double[] ms = new double[e.getValue().size()];
            for (int i = 0; i < ms.length; i++) {
                ms[i] = e.getValue().get(i).asDouble();
            }
            gemm.put(e.getKey(), ms);
        });
        return new Result(answer.get("torch").asText(), answer.get("transformers").asText(),
                answer.get("threads").asInt(), figures, gemm);
    }
}
