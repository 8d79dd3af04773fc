package mixtral.cli;

/**
 * A subcommand that lives in another module (the web inspector's {@code inspect}): it registers itself in
 * {@code META-INF/services/mixtral.cli.PluginCommand} and must carry picocli's {@code @Command} annotation.
 * This keeps the reference module free of any dependency on the modules built on it.
 */
public interface PluginCommand {}
