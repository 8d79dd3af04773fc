package mixtral.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.util.ServiceLoader;
import mixtral.BadInputException;
import mixtral.OutputFile;
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
            err.println("mixtral: " + oneLine(String.valueOf(ex.getMessage())) + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return BAD_INPUT;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // A size check missed this allocation (a bug), but the stack trace of an allocation helps nobody.
            cli.getErr().println("mixtral: out of memory (" + oneLine(String.valueOf(e.getMessage())) + "); the Java "
                    + "heap is at most " + (Runtime.getRuntime().maxMemory() >> 20) + " MB (MIXTRAL_HEAP=8g raises it, "
                    + "and four times as much for native arrays)");
            cli.getErr().flush();
            return INTERNAL_ERROR;
        }
    }

    /**
     * Sorts what a command threw, in one place, so that every command keeps the contract: what the user can fix is
     * one line and exit 2; the machine failing under a correct command (a disk error) is one line and exit 1;
     * anything else is a bug in this program and keeps its stack trace (exit 1).
     *
     * <p>User errors: {@link BadInputException} (our own checks), a {@link FileSystemException} (a path given that
     * does not exist, is a folder where a file is needed or the other way round, lies under a file, cannot be
     * written), an {@link InvalidPathException} (a path the OS cannot name, e.g. holding a NUL byte), and either of
     * the last two wrapped in an {@link UncheckedIOException}. Not user errors: a plain {@link IOException} (the
     * device failed or is full) and {@code IllegalArgumentException} in general, which is what ND4J and our own
     * preconditions throw on a programming error; inputs that could trigger one are checked first and turned into a
     * {@link BadInputException}.
     */
    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        return report(e, cmd.getErr());
    }

    /** Prints what {@code e} means for the user to {@code err} and returns the exit code (see {@link #handle}). */
    static int report(Exception e, PrintWriter err) {
        Throwable cause = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        if (e instanceof BadInputException) {
            err.println("mixtral: " + oneLine(String.valueOf(e.getMessage())));
            return BAD_INPUT;
        }
        if (cause instanceof FileSystemException f) {
            err.println("mixtral: " + oneLine(cause != e ? e.getMessage() : OutputFile.describe(f)));
            return BAD_INPUT;
        }
        if (cause instanceof InvalidPathException p) {
            err.println("mixtral: not a usable path: " + oneLine(p.getMessage()));
            return BAD_INPUT;
        }
        if (cause instanceof IOException io) {
            err.println("mixtral: I/O error: " + oneLine(e.getMessage() != null ? e.getMessage() : io.toString()));
            return INTERNAL_ERROR;
        }
        err.println("mixtral: internal error: " + e);
        e.printStackTrace(err);
        return INTERNAL_ERROR;
    }

    /** Line breaks become spaces and a NUL byte reads \0, so that a message stays one readable line. */
    private static String oneLine(String s) {
        return s.replaceAll("\\R", " ").replace("\0", "\\0");
    }
}
