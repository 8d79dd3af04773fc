package mixtral.tutorials;

import java.util.LinkedHashMap;
import java.util.Map;
import mixtral.compare.Margins;
import mixtral.compare.Tolerances;
import mixtral.config.MixtralConfig;
import mixtral.inspector.analysis.TraceAnalysis;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;

/**
 * Lesson 3: a tour of the web inspector. The inspector draws its own views; this class only computes the few facts
 * the tour quotes about the demo model on the lesson's sentence, among them how many of its routing decisions the
 * inspector flags as near ties ({@link TraceAnalysis#NEAR_TIE_MARGIN}) and how many {@code ./mixtral compare} would
 * excuse as ties ({@link Tolerances#DEFAULT}).
 */
public final class InspectorTour implements Lesson {
    @Override
    public String markdown() {
        return "03-a-tour-of-the-inspector.md";
    }

    @Override
    public Map<String, String> numbers() {
        Trace trace = DemoRun.trace(DemoRun.SENTENCE, false);
        MixtralConfig c = trace.config();
        int tokens = (int) trace.get(TensorNames.TOKENS).length();
        int flagged = 0;
        int ties = 0;
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            for (float[] logits : trace.get(TensorNames.routerLogits(l)).toFloatMatrix()) {   // [T][E]
                double margin = Margins.margin(logits, c.numExpertsPerTok());
                flagged += margin < TraceAnalysis.NEAR_TIE_MARGIN ? 1 : 0;
                ties += margin < Tolerances.DEFAULT.tieMargin() ? 1 : 0;
            }
        }
        Map<String, String> n = new LinkedHashMap<>();
        n.put("sentence", DemoRun.SENTENCE);
        n.put("tokens", Integer.toString(tokens));
        n.put("cells", Integer.toString(tokens * c.numHiddenLayers()));
        n.put("near_ties", Integer.toString(flagged));
        n.put("compare_ties", Integer.toString(ties));
        return n;
    }
}
