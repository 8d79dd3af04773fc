package mixtral.inspector.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.Callable;
import mixtral.BadInputException;
import mixtral.cli.Main;
import mixtral.cli.PluginCommand;
import mixtral.inspector.engine.Limits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./mixtral inspector-bench}: the page's load and draw times in headless Chromium (inspector-web/FRONTEND.md). */
@Command(name = "inspector-bench", mixinStandardHelpOptions = true,
        description = {"Benchmark the inspector page in headless Chromium on the embedded demo model:",
            "the load until the routing map is drawn, the routing map, router heatmap and",
            "attention draws, and selecting a token. Prints a Markdown table (median and",
            "minimum in ms). Chromium: CHROMIUM_PATH, else /usr/bin/chromium, else",
            "Playwright's own. Results: inspector-web/FRONTEND.md."})
public final class InspectorBenchCommand implements Callable<Integer>, PluginCommand {
    @Option(names = "--tokens", split = ",", defaultValue = "128,256,512", paramLabel = "N",
            description = "Prompt lengths (default: ${DEFAULT-VALUE}).")
    List<Integer> tokens;

    @Option(names = "--runs", defaultValue = "7", description = "Timed runs per length (default: ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public Integer call() throws IOException {
        int max = Limits.defaults().maxTokens();
        if (runs < 1) {
            throw new BadInputException("--runs must be at least 1, got " + runs);
        }
        for (int t : tokens) {
            if (t < 2 || t > max) {
                throw new BadInputException("--tokens: each length must be between 2 and " + max + ", got " + t);
            }
        }
        try (Chromium.Session chromium = Chromium.launch()) {
            System.out.print(markdown(chromium, tokens, runs));
        }
        return Main.OK;
    }

    /** Runs the benchmark in {@code chromium} and returns its table (the command's output, and what its test reads). */
    public static String markdown(Chromium.Session chromium, List<Integer> tokens, int runs) throws IOException {
        double before = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<InspectorBench.Row> rows = InspectorBench.run(tokens, runs, chromium.browser(), t -> System.err.print("."));
        System.err.println();
        return InspectorBenchReport.markdown(rows, runs, new InspectorBenchReport.Machine(
                mixtral.bench.Machine.cpuModel(), Runtime.getRuntime().availableProcessors(),
                "Chromium " + chromium.browser().version(), before,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    }
}
