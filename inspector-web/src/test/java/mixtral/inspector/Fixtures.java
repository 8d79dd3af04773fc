package mixtral.inspector;

import java.nio.file.Path;
import mixtral.inspector.engine.InspectedModel;
import mixtral.inspector.engine.Inspector;
import mixtral.inspector.engine.Limits;
import mixtral.inspector.engine.ModelRunner;
import mixtral.inspector.engine.TraceStore;

/** The embedded demo model, loaded once per test JVM, and inspectors over it. */
public final class Fixtures {
    private static InspectedModel demo;

    private Fixtures() {}

    public static synchronized InspectedModel demo() {
        if (demo == null) {
            demo = InspectedModel.demo();
        }
        return demo;
    }

    /** An inspector over the demo model that keeps its traces in {@code dataDir}, with the default limits. */
    public static Inspector inspector(Path dataDir) {
        return inspector(dataDir, Limits.defaults(), new ModelRunner(Limits.defaults().queue()));
    }

    public static Inspector inspector(Path dataDir, Limits limits, ModelRunner runner) {
        return new Inspector(demo(), limits, runner, new TraceStore(dataDir, limits.cachedTraces()));
    }
}
