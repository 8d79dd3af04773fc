package mixtral.tutorials;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import mixtral.evidence.EvidenceReport;
import mixtral.evidence.Repetition;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Lesson 8's comparison with the Mixtral paper, like with like. The paper's Table 5 gives, at one layer, the range of
 * first-choice repetition across its domains; here the demo model gives, at each of its layers, the range across its
 * held-out groups (en, fr, de, es, it, code: the evidence file {@code ./mixtral evidence} wrote), each group beside
 * its own chance: two tokens drawn independently from the group's first-choice load repeat with probability
 * sum_e q_e^2 ({@link Repetition#sameFirstGivenLoad}).
 *
 * <p>Shape legend: L layers, G groups, E experts.
 */
final class BesideThePaper {
    /** Mixtral of Experts (arXiv:2401.04088), Table 5: the layer whose first-choice repetition is quoted. */
    static final int PAPER_LAYER = 15;
    /** The same table: layer 15, first-choice repetition, lowest and highest domain. */
    static final double PAPER_LOW = 0.236;
    static final double PAPER_HIGH = 0.284;

    private BesideThePaper() {}

    /**
     * The held-out repetition of the trained and the random-weight model.
     *
     * @param groups       [G] group names of the evidence file
     * @param repeat       [L][G] share of a group's consecutive pairs with the same first choice, trained weights
     * @param chance       [L][G] the same for tokens drawn independently with the group's first-choice load
     * @param randomRepeat [L][G] repeat, for the model of the same shape with random weights
     */
    record Heldout(List<String> groups, double[][] repeat, double[][] chance, double[][] randomRepeat) {
        double ratio(int layer, int group) {
            return repeat[layer][group] / chance[layer][group];
        }

        double[] ratios(int layer) {
            double[] r = new double[groups.size()];
            for (int g = 0; g < r.length; g++) {
                r[g] = ratio(layer, g);
            }
            return r;
        }

        /** The layer whose groups all repeat most beyond their load: the largest smallest ratio. */
        int clearestLayer() {
            int best = 0;
            for (int l = 1; l < repeat.length; l++) {
                best = min(ratios(l)) > min(ratios(best)) ? l : best;
            }
            return best;
        }
    }

    static Heldout heldout() {
        EvidenceReport e = WhatExpertsLearned.evidence();
        List<String> groups = e.groups();
        double[][][] first = e.trained().firstChoice();                                 // [L][G][E]
        double[][] chance = new double[first.length][groups.size()];
        for (int l = 0; l < first.length; l++) {
            for (int g = 0; g < groups.size(); g++) {
                chance[l][g] = Repetition.sameFirstGivenLoad(first[l][g]);
            }
        }
        return new Heldout(groups, e.trained().repeatFirstByGroup(), chance, e.random().repeatFirstByGroup());
    }

    static double min(double[] xs) {
        return Arrays.stream(xs).min().orElseThrow();
    }

    static double max(double[] xs) {
        return Arrays.stream(xs).max().orElseThrow();
    }

    private static double min(double[][] xs) {
        return Arrays.stream(xs).mapToDouble(BesideThePaper::min).min().orElseThrow();
    }

    private static double max(double[][] xs) {
        return Arrays.stream(xs).mapToDouble(BesideThePaper::max).max().orElseThrow();
    }

    /** Uniform chance for Mixtral 8x7B: 1/E of its published configuration. */
    static double paperChance() {
        return Repetition.randomFirst(SparseMoeInOnePage.mixtral8x7b().numLocalExperts());
    }

    /** The numbers lesson 8 quotes about the comparison. */
    static void numbers(Map<String, String> n) {
        Heldout h = heldout();
        EvidenceReport e = WhatExpertsLearned.evidence();
        n.put("heldout_windows", Integer.toString(e.heldout().windowsPerSource()));
        n.put("heldout_window_tokens", Integer.toString(e.heldout().windowTokens()));
        n.put("heldout_tokens", Fmt.grouped(e.tokens()));
        n.put("heldout_groups", String.join(", ", h.groups()));
        n.put("heldout_group_count", Integer.toString(h.groups().size()));
        n.put("paper_layer", Integer.toString(PAPER_LAYER));
        n.put("paper_low", Fmt.percent(PAPER_LOW));
        n.put("paper_high", Fmt.percent(PAPER_HIGH));
        n.put("paper_ratio_low", Fmt.fixed(PAPER_LOW / paperChance(), 1));
        n.put("paper_ratio_high", Fmt.fixed(PAPER_HIGH / paperChance(), 1));
        int l = h.clearestLayer();
        n.put("like_layer", Integer.toString(l));
        n.put("like_low", Fmt.percent(min(h.repeat()[l])));
        n.put("like_high", Fmt.percent(max(h.repeat()[l])));
        n.put("like_chance_low", Fmt.percent(min(h.chance()[l])));
        n.put("like_chance_high", Fmt.percent(max(h.chance()[l])));
        n.put("like_ratio_low", Fmt.fixed(min(h.ratios(l)), 1));
        n.put("like_ratio_high", Fmt.fixed(max(h.ratios(l)), 1));
        double[][] ratios = new double[h.repeat().length][];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = h.ratios(i);
        }
        n.put("ratio_min", Fmt.fixed(min(ratios), 2));
        n.put("ratio_max", Fmt.fixed(max(ratios), 2));
        n.put("random_low", Fmt.percent(min(h.randomRepeat())));
        n.put("random_high", Fmt.percent(max(h.randomRepeat())));
    }

    /**
     * One range per layer for the demo model's groups and one for their chances given their loads, then the paper's
     * range at its layer beside uniform chance (the paper gives no load to compute another), and the uniform line.
     */
    static void draw(Path file) throws IOException {
        Heldout h = heldout();
        int layers = h.repeat().length;
        int paperX = layers + 1;
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT + 90)
                .title("Same first choice for consecutive tokens: range across groups, beside chance")
                .xAxisTitle("\u00d7 above the bars: each group's repetition / its chance, lowest to highest group")
                .yAxisTitle("% of consecutive token pairs").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setXAxisMin(-0.6).setXAxisMax(paperX + 0.6).setYAxisMin(0.0).setYAxisMax(100.0);
        chart.getStyler().setXAxisTicksVisible(false);     // XChart places no ticks at our categories: labels below
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.getStyler().setAnnotationTextFontColor(Color.BLACK);
        double w = 0.14;
        for (int l = 0; l < layers; l++) {
            range(chart, "demo model: repetition, lowest to highest of its held-out groups ("
                    + String.join(" ", h.groups()) + ")", l - w, min(h.repeat()[l]),
                    max(h.repeat()[l]), Charts.PALETTE[0], l == 0);
            range(chart, "demo model: each group's chance given its first-choice load, lowest to highest", l + w,
                    min(h.chance()[l]), max(h.chance()[l]), Charts.PALETTE[1], l == 0);
            double top = Math.max(max(h.repeat()[l]), max(h.chance()[l]));
            chart.addAnnotation(new AnnotationText("\u00d7" + Fmt.fixed(min(h.ratios(l)), 1) + "\u2013"
                    + Fmt.fixed(max(h.ratios(l)), 1), l, 100 * top + 4, false));
            chart.addAnnotation(new AnnotationText("layer " + l, l, 4, false));
        }
        range(chart, "Mixtral 8x7B (paper, Table 5): lowest to highest domain", paperX - w, PAPER_LOW, PAPER_HIGH,
                Charts.PALETTE[2], true);
        chart.addAnnotation(new AnnotationText("\u00d7" + Fmt.fixed(PAPER_LOW / paperChance(), 1) + "\u2013"
                + Fmt.fixed(PAPER_HIGH / paperChance(), 1) + " of 1/" + Math.round(1 / paperChance()), paperX,
                100 * PAPER_HIGH + 4, false));
        chart.addAnnotation(new AnnotationText("Mixtral, layer " + PAPER_LAYER, paperX, 4, false));
        XYSeries uniform = chart.addSeries("uniform chance, 1/" + Math.round(1 / paperChance()) + " = "
                + Fmt.percent(paperChance()), new double[] {-0.6, paperX + 0.6},
                new double[] {100 * paperChance(), 100 * paperChance()});
        uniform.setMarker(SeriesMarkers.NONE);
        uniform.setLineStyle(SeriesLines.DASH_DASH);
        uniform.setLineColor(Color.DARK_GRAY);
        Charts.save(chart, file);
    }

    /** A range [lo, hi] (shares) drawn as a thick vertical bar at x, in percent. */
    private static void range(XYChart chart, String name, double x, double lo, double hi, Color color, boolean legend) {
        XYSeries s = chart.addSeries(name + (legend ? "" : " " + x), new double[] {x, x},
                new double[] {100 * lo, 100 * hi});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(14f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        s.setShowInLegend(legend);
    }
}
