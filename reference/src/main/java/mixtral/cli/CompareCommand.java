package mixtral.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import mixtral.OutputFile;
import mixtral.compare.JunitReport;
import mixtral.compare.Report;
import mixtral.compare.ReportPrinter;
import mixtral.compare.Tolerances;
import mixtral.compare.TraceComparison;
import mixtral.model.MixtralModel;
import mixtral.model.RoutingRule;
import mixtral.trace.Trace;
import mixtral.weights.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare trace B (actual, e.g. another engine's) against trace A (expected, the reference).",
            "Every tensor both hold is compared element by element (NaN and Inf agree only with the same value at the "
                + "same place). A routing flip whose router margin in A is below --tie-margin is a tie: only that "
                + "token's routing entries at that layer are excused, everything else is still compared strictly.",
            "With --model, the reference re-runs A's tokens with B's routing replayed; B is held strictly to that run, "
                + "and each of B's routing decisions must be within --tie-margin of the reference's own choice there. "
                + "So a real tie passes, and a bug hidden behind one fails.",
            "Exit code: 0 within tolerance, 1 outside it, 2 bad input (including traces with no tensor in common, and a "
                + "tensor of the format that is empty, of another rank, of another token count or choosing no expert).",
            "A tensor of the right rank but another width is a divergence (exit 1)."})
final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "A.safetensors", description = "The expected trace.")
    Path expected;

    @Parameters(index = "1", paramLabel = "B.safetensors", description = "The actual trace.")
    Path actual;

    @Option(names = "--atol", defaultValue = "1e-4", description = "Absolute tolerance (default ${DEFAULT-VALUE}).")
    double atol;

    @Option(names = "--rtol", defaultValue = "1e-4", description = "Relative tolerance (default ${DEFAULT-VALUE}).")
    double rtol;

    @Option(names = "--tie-margin", defaultValue = "1e-4",
            description = "Routing flips whose router margin is below this are ties (default ${DEFAULT-VALUE}).")
    double tieMargin;

    @Option(names = "--model", paramLabel = "DIR",
            description = "The checkpoint A was made with: replay B's routing through it and hold B to that run.")
    Path model;

    @Option(names = "--require", arity = "1..*", paramLabel = "PATTERN",
            description = "Tensor names (globs, e.g. 'layers.*.moe.out' logits) both traces must hold; a missing one fails.")
    List<String> require = new ArrayList<>();

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write the report as JUnit XML, for CI systems.")
    Path junit;

    @Mixin
    MemoryOption memory = new MemoryOption();

    @Override
    public Integer call() throws Exception {
        Tolerances tol = new Tolerances(atol, rtol, tieMargin);
        memory.validate();
        if (junit != null) {
            OutputFile.check(junit, "--junit");
        }
        Trace a = Trace.read(expected);
        Trace b = Trace.read(actual);
        Report report;
        if (model == null) {
            report = TraceComparison.compare(a, b, tol, new TraceComparison.Options(require, null));
        } else {
            try (Checkpoint checkpoint = Checkpoint.open(model)) {
                MixtralModel m = MixtralModel.load(checkpoint, RoutingRule.MIXTRAL, memory.memoryFor(checkpoint.config()));
                report = TraceComparison.compare(a, b, tol, new TraceComparison.Options(require, m));
            }
        }
        if (junit != null) {
            JunitReport.write(report, "mixtral compare " + actual.getFileName(), junit);
        }
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(report));
        } else {
            ReportPrinter.print(report, expected.toString(), actual.toString(), System.out);
        }
        return report.passed() ? Main.OK : Main.INTERNAL_ERROR;
    }
}
