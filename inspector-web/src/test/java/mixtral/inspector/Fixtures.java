package mixtral.inspector;

import java.nio.file.Path;
import java.util.Arrays;
import mixtral.inspector.about.Evidence;
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

    /** The demo model with other evidence, e.g. none, or the hand-made fixture. */
    public static InspectedModel demoWith(Evidence evidence) {
        InspectedModel m = demo();
        return new InspectedModel(m.name(), m.description(), m.randomWeights(), m.model(), m.codec(), m.fingerprint(),
                m.weights(), m.examples(), m.card(), evidence);
    }

    /** An inspector over the demo model that keeps its traces in {@code dataDir}, with the default limits. */
    public static Inspector inspector(Path dataDir) {
        return inspector(dataDir, Limits.defaults(), new ModelRunner(Limits.defaults().queue()));
    }

    public static Inspector inspector(Path dataDir, Limits limits, ModelRunner runner) {
        return inspector(demo(), dataDir, limits, runner);
    }

    public static Inspector inspector(InspectedModel model, Path dataDir, Limits limits, ModelRunner runner) {
        return new Inspector(model, limits, runner, new TraceStore(dataDir, limits.cachedTraces()));
    }

    /**
     * The id of a trace of {@code tokens} that another model (the demo's weights under another name and fingerprint)
     * stored in {@code dataDir}: a data folder shared by two models.
     */
    public static String traceOfAnotherModel(Path dataDir, long[] tokens) {
        InspectedModel d = demo();
        InspectedModel other = new InspectedModel("Other model", d.description(), d.randomWeights(), d.model(),
                d.codec(), "another-fingerprint", d.weights(), d.examples(), d.card(), d.evidence());
        return inspector(other, dataDir, Limits.defaults(), new ModelRunner(0)).trace(tokens, 0).id();
    }

    /**
     * The router margin computed by expert identity, without sorting: the weakest chosen expert's logit minus the
     * strongest unchosen one's. It equals the K-th minus the (K+1)-th largest logit exactly when the chosen experts are
     * the top K, so a view's margin can be checked against it.
     */
    public static double weakestChosenMinusStrongestOther(float[] logits, int[] chosen) {
        double weakestChosen = Double.POSITIVE_INFINITY;
        double strongestOther = Double.NEGATIVE_INFINITY;
        for (int e = 0; e < logits.length; e++) {
            final int expert = e;
            if (Arrays.stream(chosen).anyMatch(x -> x == expert)) {
                weakestChosen = Math.min(weakestChosen, logits[e]);
            } else {
                strongestOther = Math.max(strongestOther, logits[e]);
            }
        }
        return weakestChosen - strongestOther;
    }
}
