package mixtral.cli;

import java.io.PrintWriter;
import java.util.ServiceLoader;
import mixtral.BadInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./mixtral}: one subcommand per job. Exit codes: 0 ok, 1 internal error, 2 bad input. */
@Command(
        name = "mixtral",
        mixinStandardHelpOptions = true,
        version = "mixtral-reference 0.1.0",
        description = "An instrumented reference implementation of Mixtral.",
        subcommands = {TraceCommand.class, GenerateCommand.class, TokenizeCommand.class, CompareCommand.class, ParamsCommand.class,
                RandomCheckpointCommand.class, DownloadCommand.class, EvidenceCommand.class, BenchCommand.class, StreamBenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static final int OK = 0;
    public static final int INTERNAL_ERROR = 1;
    public static final int BAD_INPUT = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code instead of exiting, for tests. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        ServiceLoader.load(PluginCommand.class).forEach(cli::addSubcommand);
        cli.setExecutionExceptionHandler(Main::handle);
        cli.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("mixtral: " + ex.getMessage());
            err.println("Try 'mixtral " + ex.getCommandLine().getCommandName() + " --help'.");
            return BAD_INPUT;
        });
        return cli.execute(args);
    }

    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof BadInputException) {
            err.println("mixtral: " + e.getMessage());
            return BAD_INPUT;
        }
        err.println("mixtral: internal error: " + e);
        e.printStackTrace(err);
        return INTERNAL_ERROR;
    }
}
