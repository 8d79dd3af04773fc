package mixtral.inspector;

import io.javalin.Javalin;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import mixtral.BadInputException;
import mixtral.cli.Main;
import mixtral.cli.PluginCommand;
import mixtral.inspector.engine.InspectedModel;
import mixtral.inspector.engine.Inspector;
import mixtral.inspector.engine.Limits;
import mixtral.inspector.engine.ModelRunner;
import mixtral.inspector.engine.TraceStore;
import mixtral.cli.MemoryOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./mixtral inspect}: serves the web inspector on a model, the embedded demo model by default. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Serve the web inspector: per-token expert routing as heatmaps, token details, attention.",
            "Without --model it serves the embedded demo model (trained on five languages and code)."})
public final class InspectCommand implements Callable<Integer>, PluginCommand {
    @Option(names = "--model", paramLabel = "DIR",
            description = "Checkpoint folder (HF or Mistral-native); the embedded demo model if absent.")
    Path model;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7070", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Where traces are kept across restarts (default: ~/.cache/mixtral-inspector).")
    Path data;

    @Option(names = "--max-tokens", paramLabel = "N",
            description = "Longest trace in tokens, prompt plus generated (default: 512).")
    Integer maxTokens;

    @Option(names = "--queue", paramLabel = "N",
            description = "Model runs that may wait while one runs; beyond that the server answers 429 (default: 4).")
    Integer queue;

    @Mixin
    MemoryOption memory = new MemoryOption();

    /** A started server: its app and the URL printed for it. */
    record Started(Javalin app, String url, CountDownLatch stopped) {}

    @Override
    public Integer call() throws InterruptedException {
        Started s = start();
        Runtime.getRuntime().addShutdownHook(new Thread(s.app()::stop, "inspector-stop"));
        System.out.println("  Ctrl-C stops the server.");
        s.stopped().await();
        return Main.OK;
    }

    /** Loads the model, traces the example prompt, starts listening and prints where; does not wait. */
    Started start() {
        Limits limits = limits();
        memory.validate();
        InetAddress address = checkPortFree(host, port);
        Path dataDir = data != null ? data : Path.of(System.getProperty("user.home"), ".cache", "mixtral-inspector");
        System.out.println("loading " + (model == null ? "the embedded demo model" : model) + " ...");
        InspectedModel m = model == null ? InspectedModel.demo() : InspectedModel.fromFolder(model, memory::memoryFor);
        ModelRunner runner = new ModelRunner(limits.queue());
        TraceStore store = new TraceStore(dataDir, limits.cachedTraces());
        Inspector inspector = new Inspector(m, limits, runner, store);
        String example = CliProgress.whileRunning(inspector, "tracing the example prompt", inspector::traceExample);

        Javalin app = InspectorApp.create(inspector, host);
        CountDownLatch stopped = new CountDownLatch(1);
        app.unsafe.events.serverStopped(() -> {
            runner.close();
            stopped.countDown();
        });
        try {
            app.start(address.getHostAddress(), port);
        } catch (RuntimeException e) {
            runner.close();
            throw new BadInputException("cannot listen on " + host + ":" + port + ": " + rootMessage(e));
        }
        String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + app.port() + "/";
        System.out.println("Mixtral inspector: " + url + "  (" + m.name() + ")");
        System.out.println("  example trace: " + url + "?trace=" + example);
        if (model == null && m.evidence().report().isEmpty()) {
            System.out.println("  no evidence view: " + m.evidence().absence());
        }
        System.out.println("  traces kept in " + dataDir.toAbsolutePath() + " (" + store.storedCount() + " files)");
        if (!address.isLoopbackAddress()) {
            System.out.println("  note: listening on " + host + ", so other machines can reach it; the API has no login.");
        }
        return new Started(app, url, stopped);
    }

    private Limits limits() {
        Limits d = Limits.defaults();
        int tokens = maxTokens == null ? d.maxTokens() : maxTokens;
        int waiting = queue == null ? d.queue() : queue;
        if (tokens < 1) {
            throw new BadInputException("--max-tokens must be at least 1, got " + tokens);
        }
        if (waiting < 0) {
            throw new BadInputException("--queue must be 0 or more, got " + waiting);
        }
        return new Limits(tokens, Math.min(d.maxGenerate(), tokens), d.maxRequestBytes(), waiting, d.cachedTraces());
    }

    /** Fails before the model loads (which can take minutes) if the address is unknown or the port is taken. */
    static InetAddress checkPortFree(String host, int port) {
        if (port < 0 || port > 65535) {
            throw new BadInputException("--port must be between 0 and 65535, got " + port);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new BadInputException("--host: unknown host '" + host + "'");
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new BadInputException("cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); is another server using it? Choose another with --port");
        }
        return address;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
