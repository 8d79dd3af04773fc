package mixtral.inspector.e2e;

import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import mixtral.inspector.InspectorApp;
import mixtral.inspector.engine.InspectedModel;
import mixtral.inspector.engine.Inspector;
import mixtral.inspector.engine.Limits;
import mixtral.inspector.engine.ModelRunner;
import mixtral.inspector.engine.TraceStore;

/** The inspector on the demo model, in this JVM, on a free port, with a fresh data directory. */
final class InspectorServer implements AutoCloseable {
    private final Path data;
    private final Javalin app;

    private InspectorServer(Path data, Javalin app) {
        this.data = data;
        this.app = app;
    }

    static InspectorServer start(Limits limits) {
        try {
            Path data = Files.createTempDirectory("inspector-e2e");
            Inspector inspector = new Inspector(InspectedModel.demo(), limits, new ModelRunner(limits.queue()),
                    new TraceStore(data, limits.cachedTraces()));
            inspector.traceExample();                 // as ./mixtral inspect does before it listens
            return new InspectorServer(data, InspectorApp.create(inspector).start("127.0.0.1", 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + app.port() + path;
    }

    @Override
    public void close() throws IOException {
        app.stop();
        try (Stream<Path> files = Files.walk(data)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
