package mixtral.engines.jlama;

import com.github.tjake.jlama.model.JlamaTap;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import mixtral.BadInputException;
import mixtral.trace.Trace;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The Jlama side of {@code ./mixtral engine-trace jlama}: run in a JVM of JDK 20+ with the incubating Vector API by
 * {@code mixtral.engines.jlama.JlamaLauncher} (module engines), which has already turned a prompt into token ids.
 * Exit codes as everywhere: 0 ok, 1 failure, 2 bad input (one line on stderr).
 */
@Command(name = "jlama-trace", mixinStandardHelpOptions = true,
        description = "Run Jlama's Mixtral on token ids and write what it computed as a trace.")
public final class JlamaMain implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face-layout checkpoint folder.")
    Path model;

    @Option(names = "--tokens", required = true, split = ",", paramLabel = "ID[,ID...]", description = "Token ids.")
    List<Long> tokens;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "The trace to write.")
    Path out;

    @Option(names = "--precision", defaultValue = "F32", paramLabel = "F32|BF16",
            description = "Jlama's working precision (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--path", defaultValue = "batch", paramLabel = "batch|token",
            description = "Jlama's prompt path (one batch) or its generation path (token by token) (default: ${DEFAULT-VALUE}).")
    String path;

    @Override
    public Integer call() {
        JlamaTap.Path p = switch (path.toLowerCase(Locale.ROOT)) {
            case "batch" -> JlamaTap.Path.BATCH;
            case "token" -> JlamaTap.Path.TOKEN;
            default -> throw new BadInputException("--path: use batch or token, not '" + path + "'");
        };
        Trace t = JlamaEngine.trace(model, tokens.stream().mapToLong(Long::longValue).toArray(),
                JlamaEngine.Precision.parse(precision), p);
        t.write(out);
        System.out.printf("%s: %d tensors from %s%n", out, t.tensors().size(), t.metadata().get(mixtral.engines.EngineMetadata.ENGINE));
        return 0;
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new JlamaMain());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof BadInputException) {
                cmd.getErr().println("mixtral: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        System.exit(cli.execute(args));
    }
}
