package mixtral.evidence;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mixtral.config.MixtralConfig;
import mixtral.config.ParameterCount;
import mixtral.model.MixtralModel;
import mixtral.trace.TensorNames;
import mixtral.trace.TraceRecorder;

/**
 * Runs a model over every held-out window, recording only the chosen experts, and tallies its routing by group.
 * The BOS position of each window is left out of every statistic (its routing says nothing about the text).
 *
 * <p>Shape legend: L layers, T tokens per window, K experts per token.
 */
public final class Evidence {
    private Evidence() {}

    /** The routing counts of {@code model} on {@code data}; {@code afterWindow} runs after each forward pass. */
    public static RoutingTally tally(MixtralModel model, HeldoutSet data, Runnable afterWindow) {
        MixtralConfig c = model.config();
        int layers = c.numHiddenLayers();
        Set<String> names = IntStream.range(0, layers).mapToObj(TensorNames::selectedExperts).collect(Collectors.toSet());
        RoutingTally tally = new RoutingTally(layers, data.groups().size(), c.numLocalExperts());
        for (HeldoutSet.Window w : data.windows()) {
            TraceRecorder rec = new TraceRecorder(names::contains);
            model.forward(w.tokens(), rec);
            long[][][] chosen = new long[layers][][];                                  // [L][T-1][K]
            for (int l = 0; l < layers; l++) {
                long[][] all = rec.tensors().get(TensorNames.selectedExperts(l)).toLongMatrix();   // [T, K]
                chosen[l] = Arrays.copyOfRange(all, 1, all.length);
            }
            tally.add(w.group(), chosen);
            afterWindow.run();
        }
        return tally;
    }

    /** The report of a trained and a random model's tallies on the same data; the weight files are hashed. */
    public static EvidenceReport report(String what, String command, MixtralConfig config, List<Path> weightFiles,
                                        CorpusManifest manifest, HeldoutSet data, RoutingTally trained,
                                        RoutingTally random) {
        List<String> groups = data.groups();
        Map<String, Long> tokens = new LinkedHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            tokens.put(groups.get(g), data.tokens(g));
        }
        return new EvidenceReport(what, command,
                new EvidenceReport.Model(config.numHiddenLayers(), config.numLocalExperts(), config.numExpertsPerTok(),
                        ParameterCount.of(config).totalSum(), Sha256.of(weightFiles)),
                new EvidenceReport.Heldout(data.windowTokens(), data.windowsPerSource(), tokens, manifest.sha256()),
                groups, RoutingEvidence.of(trained), RoutingEvidence.of(random),
                EvidenceReport.Chance.of(groups.size(), config.numLocalExperts(), config.numExpertsPerTok()));
    }
}
