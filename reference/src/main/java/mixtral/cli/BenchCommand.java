package mixtral.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import mixtral.BadInputException;
import mixtral.OutputFile;
import mixtral.bench.BenchReport;
import mixtral.bench.Benchmark;
import mixtral.bench.HfBench;
import mixtral.bench.Machine;
import mixtral.config.ConfigReader;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.DType;
import mixtral.weights.CheckpointWriter;
import mixtral.weights.Layout;
import mixtral.weights.RandomWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time prefill and decode against Hugging Face transformers on one checkpoint,",
            "with recording off, routing only and everything; print a Markdown table.",
            "Without --model it writes a random float32 checkpoint, by default mid-size:",
            "D=1024, F=3584, 4 layers, 8 experts top-2, 16/4 heads, V=32000 (1.6 GB).",
            "See docs/performance.md."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Shape of the random checkpoint (config.json or params.json).")
    Path config;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Time this Hugging Face-layout checkpoint instead of writing one.")
    Path model;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for both (default: OMP_NUM_THREADS, else all cores).")
    Integer threads;

    @Option(names = "--prefill", split = ",", defaultValue = "128,512", paramLabel = "T,...",
            description = "Prompt lengths to prefill (default 128,512).")
    List<Integer> prefill;

    @Option(names = "--decode-prompt", defaultValue = "128", paramLabel = "T",
            description = "Prompt before the decode steps (default 128).")
    int decodePrompt;

    @Option(names = "--decode-steps", defaultValue = "18", paramLabel = "N",
            description = "Tokens decoded one by one; the first --warmup of them are not timed (default 18).")
    int decodeSteps;

    @Option(names = "--reps", defaultValue = "5", paramLabel = "N",
            description = "Timed prefill runs; the median is reported (default 5).")
    int reps;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "Untimed runs first (default 2).")
    int warmup;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
            description = "Seed of the weights and token ids (default 0).")
    long seed;

    @Option(names = "--no-hf", description = "Time this model only.")
    boolean noHf;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "EXE",
            description = "Python with torch (default /usr/bin/python3).")
    String python;

    @Option(names = "--hf-script", defaultValue = "golden/bench_hf.py", paramLabel = "FILE",
            description = "The Hugging Face side (default golden/bench_hf.py; needs TRANSFORMERS_SRC and HF_HUB_SRC, "
                    + "see golden/README.md).")
    Path hfScript;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the table to this file.")
    Path out;

    static MixtralConfig midSize() {
        return MixtralConfig.builder()
                .hiddenSize(1024).intermediateSize(3584).numHiddenLayers(4)
                .numAttentionHeads(16).numKeyValueHeads(4).headDim(64)
                .numLocalExperts(8).numExpertsPerTok(2).vocabSize(32000)
                .ropeTheta(1e6).rmsNormEps(1e-5).maxPositionEmbeddings(32768)
                .build();
    }

    @Override
    public Integer call() throws Exception {
        if (reps < 1 || warmup < 0 || decodeSteps < 1 || decodePrompt < 1 || prefill.stream().anyMatch(t -> t < 1)) {
            throw new BadInputException(
                    "--reps, --decode-steps, --decode-prompt and --prefill must be at least 1, --warmup at least 0");
        }
        if (decodeSteps <= warmup) {
            throw new BadInputException("--decode-steps (" + decodeSteps + ") must be more than --warmup (" + warmup
                    + "): the first decode steps are the warm-up");
        }
        if (out != null) {
            OutputFile.check(out, "--out");
        }
        int n = threads != null ? threads : defaultThreads();
        if (n < 1) {
            throw new BadInputException("--threads must be at least 1, got " + n);
        }
        Machine.useThreads(n);
        Benchmark.Settings s = new Benchmark.Settings(prefill, decodePrompt, decodeSteps, warmup, reps, seed, n);
        HfBench hf = noHf ? null : new HfBench(python, hfScript);
        Path dir = model != null ? model : Files.createTempDirectory("mixtral-bench");
        try {
            if (model == null) {
                MixtralConfig c = config == null ? midSize() : ConfigReader.read(config);
                System.err.println("bench: writing a random float32 checkpoint to " + dir);
                new CheckpointWriter(Layout.HUGGING_FACE).dtype(DType.F32).write(new RandomWeights(c, seed), dir);
            }
            String table = BenchReport.markdown(Benchmark.run(dir, s, hf, m -> System.err.println("bench: " + m)));
            System.out.print(table);
            if (out != null) {
                Files.writeString(out, table);
            }
        } finally {
            if (model == null) {
                deleteTree(dir);
            }
        }
        return Main.OK;
    }

    private static int defaultThreads() {
        String env = System.getenv("OMP_NUM_THREADS");
        try {
            return env != null ? Integer.parseInt(env.trim()) : Runtime.getRuntime().availableProcessors();
        } catch (NumberFormatException e) {
            throw new BadInputException("OMP_NUM_THREADS must be a whole number, got '" + env + "'");
        }
    }

    /** Deletes a folder and everything in it (the benchmarks' temporary checkpoints). */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
