package mixtral.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import mixtral.compare.Report;
import mixtral.compare.ReportPrinter;
import mixtral.compare.Tolerances;
import mixtral.compare.TraceComparison;
import mixtral.trace.Trace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare trace B (actual, e.g. another engine's) against trace A (expected, the reference).",
            "Exit code: 0 within tolerance, 1 outside it, 2 bad input."})
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
            description = "Routing flips whose router margin is below this are ties, not failures (default ${DEFAULT-VALUE}).")
    double tieMargin;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Tolerances tol = new Tolerances(atol, rtol, tieMargin);
        Report report = TraceComparison.compare(Trace.read(expected), Trace.read(actual), tol);
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(report));
        } else {
            ReportPrinter.print(report, expected.toString(), actual.toString(), System.out);
        }
        return report.passed() ? Main.OK : Main.INTERNAL_ERROR;
    }
}
