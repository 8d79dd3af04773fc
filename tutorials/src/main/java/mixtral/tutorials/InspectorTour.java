package mixtral.tutorials;

import java.util.LinkedHashMap;
import java.util.Map;
import mixtral.config.MixtralConfig;
import mixtral.config.ParameterCount;

/**
 * Lesson 3: a tour of the web inspector. The inspector draws its own views; this class only computes the few facts
 * about the demo model that the tour quotes.
 */
public final class InspectorTour implements Lesson {
    @Override
    public String markdown() {
        return "03-a-tour-of-the-inspector.md";
    }

    @Override
    public Map<String, String> numbers() {
        MixtralConfig c = DemoRun.model().config();
        ParameterCount p = ParameterCount.of(c);
        int tokens = DemoRun.tokens(DemoRun.SENTENCE).length;
        Map<String, String> n = new LinkedHashMap<>();
        n.put("layers", Integer.toString(c.numHiddenLayers()));
        n.put("e", Integer.toString(c.numLocalExperts()));
        n.put("k", Integer.toString(c.numExpertsPerTok()));
        n.put("d", Integer.toString(c.hiddenSize()));
        n.put("h", Integer.toString(c.numAttentionHeads()));
        n.put("v", Fmt.grouped(c.vocabSize()));
        n.put("total", Fmt.grouped(p.totalSum()));
        n.put("active", Fmt.grouped(p.activeSum()));
        n.put("sentence", DemoRun.SENTENCE);
        n.put("tokens", Integer.toString(tokens));
        n.put("cells", Integer.toString(tokens * c.numHiddenLayers()));
        return n;
    }
}
