package mixtral.tutorials;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mixtral.evidence.EvidenceJson;
import mixtral.evidence.EvidenceReport;
import mixtral.evidence.RoutingEvidence;
import mixtral.evidence.TellingCell;
import mixtral.model.Argmax;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Lesson 9: what the trained demo model's experts learned. Two sources: the evidence file that {@code ./mixtral
 * evidence} computed with our reference on the held-out text of the training corpus (shipped beside the weights as
 * {@code /demo-model/evidence.json}), and two prompts routed live here, a French sentence and a Java line.
 *
 * <p>Shape legend: L layers, G groups (en, fr, de, es, it, code), E experts.
 */
public final class WhatExpertsLearned implements Lesson {
    static final String FRENCH = "Le gestionnaire de paquets installe les fichiers de l'archive et met à jour la liste "
            + "des paquets disponibles.";
    static final String JAVA = "public static int sum(int[] values) { int total = 0; for (int v : values) total += v; "
            + "return total; }";

    /** The evidence file shipped with the demo model's weights, read by the one reader. */
    static EvidenceReport evidence() {
        return EvidenceJson.demo().orElseThrow(() ->
                new IllegalStateException(EvidenceJson.DEMO + " is missing: run ./mixtral evidence"));
    }

    /**
     * For each group, the (layer, expert) cell that says most about it: the largest term of the mutual information
     * ({@link TellingCell#weight}, evidence.md's "most telling"). The largest share alone would name experts that are
     * busy for every group.
     */
    static List<TellingCell> specialists() {
        TellingCell[] best = new TellingCell[evidence().groups().size()];
        for (TellingCell c : TellingCell.all(evidence().trained().firstChoice())) {
            if (best[c.group()] == null || c.weight() > best[c.group()].weight()) {
                best[c.group()] = c;
            }
        }
        return List.of(best);
    }

    /** The most telling cell of one group, by its name in the evidence file ("en", ..., "code"). */
    static TellingCell specialist(String group) {
        List<String> names = evidence().groups();
        for (TellingCell c : specialists()) {
            if (names.get(c.group()).equals(group)) {
                return c;
            }
        }
        throw new IllegalStateException("the evidence file has no group '" + group + "'");
    }

    /** Share of a prompt's tokens (BOS left out) whose first choice in each layer is each expert: [L][E]. */
    static double[][] firstChoiceShares(String text) {
        long[][][] experts = RoutingStatistics.route(text);                   // [L][T][K]
        int e = DemoRun.model().config().numLocalExperts();
        double[][] share = new double[experts.length][e];
        for (int l = 0; l < experts.length; l++) {
            for (int t = 1; t < experts[l].length; t++) {
                share[l][(int) experts[l][t][0]] += 1.0 / (experts[l].length - 1);
            }
        }
        return share;
    }

    /** Total-variation distance between the French and the Java prompt's first-choice shares, per layer. */
    static double[] frenchVersusJava() {
        double[][] fr = firstChoiceShares(FRENCH);
        double[][] java = firstChoiceShares(JAVA);
        double[] tv = new double[fr.length];
        for (int l = 0; l < fr.length; l++) {
            for (int e = 0; e < fr[l].length; e++) {
                tv[l] += Math.abs(fr[l][e] - java[l][e]) / 2;
            }
        }
        return tv;
    }

    @Override
    public String markdown() {
        return "09-what-the-experts-learned.md";
    }

    @Override
    public Map<String, String> numbers() {
        EvidenceReport ev = evidence();
        double[] trained = ev.trained().mutualInformationBits();
        double[] random = ev.random().mutualInformationBits();
        double[] accTrained = ev.trained().classifierAccuracy();
        double[] accRandom = ev.random().classifierAccuracy();
        double[] repTrained = ev.trained().repeatFirst();
        double[] repRandom = ev.random().repeatFirst();
        int best = Argmax.of(trained);
        int bestRandom = Argmax.of(random);
        Map<String, String> n = new LinkedHashMap<>();
        n.put("windows", Integer.toString(ev.heldout().windowsPerSource()));
        n.put("window_tokens", Integer.toString(ev.heldout().windowTokens()));
        n.put("heldout_tokens", Fmt.grouped(ev.tokens()));
        n.put("mi_table", miTable(trained, random, accTrained, accRandom, repTrained, repRandom));
        n.put("best_layer", Integer.toString(best));
        n.put("best_mi", Fmt.fixed(trained[best], 2));
        n.put("best_mi_random", Fmt.fixed(random[best], 2));
        n.put("best_random_mi", Fmt.fixed(random[bestRandom], 2));
        n.put("best_acc", Fmt.percent(accTrained[best]));
        n.put("best_acc_random", Fmt.percent(accRandom[best]));
        n.put("max_bits", Fmt.fixed(maxBits(), 2));
        StringBuilder spec = new StringBuilder();
        for (TellingCell s : specialists()) {
            spec.append("- ").append(ev.groups().get(s.group())).append(": layer ").append(s.layer()).append(", expert ")
                    .append(s.expert()).append(" takes ").append(Fmt.percent(s.share())).append(" of its first choices, ")
                    .append(Fmt.fixed(s.lift(), 1)).append(" times its share over all groups\n");
        }
        n.put("specialists", spec.toString().strip());
        int groups = evidence().groups().size();
        n.put("groups", Integer.toString(groups));
        n.put("chance_accuracy", Fmt.percent(1.0 / groups));
        TellingCell code = specialist("code");
        n.put("code_layer", Integer.toString(code.layer()));
        n.put("code_lift", Fmt.fixed(code.lift(), 1));
        TellingCell german = specialist("de");
        n.put("de_layer", Integer.toString(german.layer()));
        n.put("de_share", Fmt.percent(german.share()));
        List<Double> weak = new ArrayList<>();   // languages whose most telling expert takes under twice its usual share
        List<String> strong = new ArrayList<>();
        for (TellingCell c : specialists()) {
            String name = evidence().groups().get(c.group());
            if (!name.equals("code")) {
                if (c.lift() < 2) {
                    weak.add(c.lift());
                } else {
                    strong.add(name + ": " + Fmt.fixed(c.lift(), 1) + " times a share of " + Fmt.percent(c.share()));
                }
            }
        }
        n.put("weak_lift_low", Fmt.fixed(weak.stream().mapToDouble(x -> x).min().orElse(0), 1));
        n.put("weak_lift_high", Fmt.fixed(weak.stream().mapToDouble(x -> x).max().orElse(0), 1));
        n.put("strong_lift", String.join("; ", strong));
        List<String> below = new ArrayList<>();
        for (int l = 0; l < trained.length; l++) {
            if (trained[l] < random[l]) {
                below.add(Integer.toString(l));
            }
        }
        n.put("below_random", below.size() == 1 ? below.get(0)
                : String.join(", ", below.subList(0, below.size() - 1)) + " and " + below.get(below.size() - 1));
        double[] tv = frenchVersusJava();
        int tvBest = Argmax.of(tv);
        n.put("tv_layer", Integer.toString(tvBest));
        n.put("tv_best", Fmt.fixed(tv[tvBest], 2));
        n.put("tv_min", Fmt.fixed(tv[argmin(tv)], 2));
        n.put("tv_min_layer", Integer.toString(argmin(tv)));
        return n;
    }

    /** log2 G: what the first-choice expert could say about the group at most, with G groups weighted equally. */
    static double maxBits() {
        return Math.log(evidence().groups().size()) / Math.log(2);
    }

    private static int argmin(double[] xs) {
        int best = 0;
        for (int i = 1; i < xs.length; i++) {
            best = xs[i] < xs[best] ? i : best;
        }
        return best;
    }

    static String miTable(double[] trained, double[] random, double[] accTrained, double[] accRandom,
                          double[] repTrained, double[] repRandom) {
        StringBuilder b = new StringBuilder("| layer | MI trained (bits) | MI random (bits) | accuracy trained | "
                + "accuracy random | same first choice, trained | same first choice, random |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int l = 0; l < trained.length; l++) {
            b.append("| ").append(l).append(" | ").append(Fmt.fixed(trained[l], 3)).append(" | ")
                    .append(Fmt.fixed(random[l], 3)).append(" | ").append(Fmt.percent(accTrained[l])).append(" | ")
                    .append(Fmt.percent(accRandom[l])).append(" | ").append(Fmt.percent(repTrained[l])).append(" | ")
                    .append(Fmt.percent(repRandom[l])).append(" |\n");
        }
        return b.toString().strip();
    }

    @Override
    public void drawFigures(Path dir) throws IOException {
        double[] trained = evidence().trained().mutualInformationBits();
        double[] random = evidence().random().mutualInformationBits();
        List<String> layers = new ArrayList<>();
        List<Double> t = new ArrayList<>();
        List<Double> r = new ArrayList<>();
        for (int l = 0; l < trained.length; l++) {
            layers.add("layer " + l);
            t.add(trained[l]);
            r.add(random[l]);
        }
        CategoryChart mi = new CategoryChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("How much a token's first-choice expert says about its language (held-out text)")
                .xAxisTitle("layer").yAxisTitle("mutual information, bits (at most " + Fmt.fixed(maxBits(), 2) + ")")
                .build();
        Charts.style(mi.getStyler());
        mi.getStyler().setLabelsVisible(true);
        mi.getStyler().setDecimalPattern("0.00");
        mi.addSeries("trained demo model", layers, t);
        mi.addSeries("same shape, random weights", layers, r);
        Charts.save(mi, dir.resolve("09-mutual-information.png"));

        int best = Argmax.of(trained);
        Charts.save(heatmap(evidence().trained(), "trained", best), dir.resolve("09-first-choice-trained.png"));
        Charts.save(heatmap(evidence().random(), "random weights", best), dir.resolve("09-first-choice-random.png"));

        double[][] fr = firstChoiceShares(FRENCH);
        double[][] java = firstChoiceShares(JAVA);
        HeatMapChart live = new HeatMapChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Layer " + best + ": share of each prompt's tokens whose first choice is each expert")
                .xAxisTitle("expert").yAxisTitle("").build();
        styleHeat(live);
        List<Integer> experts = range(fr[best].length);
        List<String> rows = List.of("Java line", "French sentence");
        List<Number[]> cells = new ArrayList<>();
        for (int e = 0; e < fr[best].length; e++) {
            cells.add(new Number[] {e, 0, Math.round(java[best][e] * 100)});
            cells.add(new Number[] {e, 1, Math.round(fr[best][e] * 100)});
        }
        live.addSeries("share %", experts, rows, cells);
        Charts.save(live, dir.resolve("09-french-versus-java.png"));
    }

    /** Rows: groups; columns: experts; cell: % of the group's held-out tokens whose first choice is the expert. */
    private static HeatMapChart heatmap(RoutingEvidence model, String label, int layer) {
        List<String> groups = evidence().groups();
        double[][] first = model.firstChoice()[layer];   // [G][E]
        HeatMapChart heat = new HeatMapChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Layer " + layer + ", " + label + ": % of each group's first choices per expert")
                .xAxisTitle("expert").yAxisTitle("").build();
        styleHeat(heat);
        List<Number[]> cells = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            for (int e = 0; e < first[g].length; e++) {
                cells.add(new Number[] {e, g, Math.round(first[g][e] * 100)});
            }
        }
        heat.addSeries("share %", range(first[0].length), groups, cells);
        return heat;
    }

    private static void styleHeat(HeatMapChart heat) {
        Charts.style(heat.getStyler());
        heat.getStyler().setShowValue(true);
        heat.getStyler().setMin(0).setMax(100);
        heat.getStyler().setRangeColors(new Color[] {Color.WHITE, Charts.PALETTE[0]});
        heat.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        heat.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
    }

    private static List<Integer> range(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }
}
