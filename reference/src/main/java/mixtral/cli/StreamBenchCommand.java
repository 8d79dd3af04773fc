package mixtral.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import mixtral.BadInputException;
import mixtral.OutputFile;
import mixtral.bench.StreamingBenchmark;
import mixtral.config.ParameterCount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "stream-bench", mixinStandardHelpOptions = true,
        description = {"Benchmark streaming weights: write a BF16 checkpoint with Mixtral 8x7B's real layer sizes but few",
            "layers, prefill a prompt under a memory budget, and set each layer's time beside the disk's read time.",
            "The checkpoint is deleted afterwards unless --keep. Results: docs/streaming.md."})
final class StreamBenchCommand implements Callable<Integer> {
    @Option(names = "--layers", defaultValue = "2", description = "Decoder layers (default 2: a 6.3 GB checkpoint).")
    int layers;

    @Option(names = "--tokens", defaultValue = "64", description = "Prompt length (default 64).")
    int tokens;

    @Option(names = "--memory-budget", defaultValue = "1g", paramLabel = "SIZE",
            description = "Float32 weights kept converted at once (default 1g).")
    String budget;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to write the checkpoint (default: a new temporary folder).")
    Path dir;

    @Option(names = "--keep", description = "Keep the checkpoint.")
    boolean keep;

    @Option(names = "--no-drop-caches", negatable = true, defaultValue = "true",
            description = "Empty the page cache before the first run (Linux, root) so it reads from disk (default: on).")
    boolean dropCaches;

    @Override
    public Integer call() throws IOException {
        if (layers < 1 || tokens < 1) {
            throw new BadInputException("--layers and --tokens must be at least 1");
        }
        long budgetBytes = MemoryOption.parse(budget);
        long weights = 2 * ParameterCount.of(StreamingBenchmark.mixtral8x7bWith(layers)).totalSum();
        if (dir != null) {
            OutputFile.checkNewFolder(dir, "--dir");         // it is deleted afterwards: never a folder of the user's
        }
        OutputFile.checkSpace(dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir")), weights,
                "the BF16 checkpoint");
        Path target = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("mixtral-stream-bench");
        StreamingBenchmark.Result r;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("write checkpoint").setInitialMax(weights)
                .setUnit(" MB", 1 << 20).setStyle(ProgressBarStyle.ASCII).showSpeed()
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build()) {
            r = StreamingBenchmark.run(new StreamingBenchmark.Settings(layers, tokens, budgetBytes, target,
                    dropCaches), bar::stepBy);
        } finally {
            if (!keep) {
                BenchCommand.deleteTree(target);
            }
        }
        System.out.print(StreamingReport.markdown(r, budgetBytes, tokens));
        return Main.OK;
    }
}
