package mixtral.inspector.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mixtral.evidence.RoutingTally;

/**
 * The Mixtral paper's Figure 7 (arXiv:2401.04088, section 5) for labelled traces: per label and layer, the share of
 * the label's top-K assignments each expert received, every token of every trace counted (BOS included, as lesson 8
 * counts). The counting is {@link RoutingTally#loadShares()}, the evidence file's and lesson 8's, with one group per
 * label. An even split gives every expert {@code 1/E}, the paper's dashed line. Shape legend: L layers, E experts,
 * K experts per token, T tokens of a trace.
 */
public final class Figure7 {
    /**
     * One label's column of the figure.
     *
     * @param traces the ids of the traces counted, in the order they were labelled
     * @param tokens tokens counted over those traces
     * @param shares [L][E] share of the label's top-K assignments per expert; each row sums to 1
     */
    public record LabelShares(String label, List<String> traces, long tokens, double[][] shares) {}

    /** A labelled trace left out of the figure, and why (another model's, or no longer readable). */
    public record Skipped(String id, String label, String reason) {}

    /**
     * {@code GET /api/figure7}.
     *
     * @param uniform the share of every expert under an even split, {@code 1/E}
     * @param labels  the labels asked for, or all of them, in the order they were first given
     */
    public record Figure7View(int layers, int experts, int k, double uniform, List<LabelShares> labels,
                              List<Skipped> skipped) {}

    /** One labelled trace's routing: chosen experts [L][T][K], highest weight first. */
    public record Labelled(String id, String label, long[][][] chosen) {}

    private Figure7() {}

    /** The figure over {@code traces}, one column per label in order of first appearance. */
    public static Figure7View of(int layers, int experts, int k, List<Labelled> traces, List<Skipped> skipped) {
        Map<String, List<Labelled>> byLabel = new LinkedHashMap<>();
        traces.forEach(t -> byLabel.computeIfAbsent(t.label(), x -> new ArrayList<>()).add(t));
        List<String> names = new ArrayList<>(byLabel.keySet());
        RoutingTally tally = new RoutingTally(layers, names.size(), experts);
        for (int g = 0; g < names.size(); g++) {
            for (Labelled t : byLabel.get(names.get(g))) {
                tally.add(g, t.chosen());
            }
        }
        double[][][] shares = tally.loadShares();                                       // [L][G][E]
        List<LabelShares> columns = new ArrayList<>(names.size());
        for (int g = 0; g < names.size(); g++) {
            double[][] rows = new double[layers][];
            for (int l = 0; l < layers; l++) {
                rows[l] = shares[l][g];
            }
            List<String> ids = byLabel.get(names.get(g)).stream().map(Labelled::id).toList();
            columns.add(new LabelShares(names.get(g), ids, tally.tokens(g), rows));
        }
        return new Figure7View(layers, experts, k, 1.0 / experts, columns, skipped);
    }
}
