package mixtral.tutorials;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mixtral.evidence.Repetition;
import mixtral.evidence.RoutingTally;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Lesson 8: routing statistics of the trained demo model on a multilingual text: how evenly each layer spreads tokens over
 * its experts, and how often consecutive tokens go to the same expert (the Mixtral paper's "repeated consecutive
 * assignments"), set beside chance and, in {@link BesideThePaper}, beside the paper's Table 5.
 *
 * <p>Shape legend: T tokens, L layers, E experts, K experts per token.
 */
public final class RoutingStatistics implements Lesson {
    /** A few sentences per domain; each domain runs as its own sequence, as the paper measured per domain. */
    static final Map<String, String> DOMAINS = domains();

    private static Map<String, String> domains() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("English", "The weather turned cold overnight, and the lake was covered in thin ice by morning. "
                + "We walked along the shore and talked about the books we had read during the summer. "
                + "Later that afternoon my sister baked bread while the children played in the garden.");
        d.put("French", "Le matin, le marché du village se remplit de fruits, de fromages et de fleurs. "
                + "Ma grand-mère y allait chaque samedi pour acheter du pain et parler avec ses voisins. "
                + "Nous avons pris le train pour Lyon, puis un bus jusqu'à la montagne.");
        d.put("German", "Am Wochenende fahren wir mit dem Fahrrad an den See und machen ein Picknick. "
                + "Mein Bruder arbeitet in einer Bäckerei und steht jeden Tag vor Sonnenaufgang auf. "
                + "Die Bibliothek der Stadt hat am Abend länger geöffnet als früher.");
        d.put("Spanish", "En verano la familia viaja a la costa para pasar unos días junto al mar. "
                + "Mi abuelo cuenta historias de su juventud mientras prepara un café muy fuerte. "
                + "La biblioteca del barrio abre temprano y siempre está llena de estudiantes.");
        d.put("Italian", "La mattina il mercato della piazza si riempie di frutta, formaggi e fiori. "
                + "Mio fratello lavora in una panetteria e si alza ogni giorno prima dell'alba. "
                + "Abbiamo preso il treno per Roma e poi un autobus fino al mare.");
        d.put("Code", "def softmax(xs):\n    m = max(xs)\n    e = [math.exp(x - m) for x in xs]\n    s = sum(e)\n"
                + "    return [v / s for v in e]\n\nfor i in range(len(tokens)):\n    total += weights[i] * values[i]\n"
                + "print(total)\n");
        return d;
    }

    /** Routing of one domain's text: chosen experts per layer, [L][T][K]. */
    static long[][][] route(String text) {
        TraceRecorder rec = TraceRecorder.routing();
        DemoRun.model().forward(DemoRun.tokens(text), rec);
        Trace trace = rec.toTrace(DemoRun.model().config());
        int layers = trace.config().numHiddenLayers();
        long[][][] experts = new long[layers][][];
        for (int l = 0; l < layers; l++) {
            experts[l] = trace.get(TensorNames.selectedExperts(l)).toLongMatrix();   // [T, K]
        }
        return experts;
    }

    /** All results: per domain and layer, and the expert load per layer over all domains. */
    record Stats(Map<String, Repetition[]> byDomain, Repetition[] all, double[][] load, double[][] firstLoad,
                 int tokens) {

        /** Chance of the same first choice for two tokens drawn independently with this layer's first-choice load. */
        double chanceGivenLoad(int layer) {
            return Repetition.sameFirstGivenLoad(firstLoad[layer]);
        }
    }

    static Stats stats() {
        int layers = DemoRun.model().config().numHiddenLayers();
        int e = DemoRun.model().config().numLocalExperts();
        Map<String, Repetition[]> byDomain = new LinkedHashMap<>();
        Repetition[] all = new Repetition[layers];
        double[][] load = new double[layers][e];
        double[][] firstLoad = new double[layers][e];
        int tokens = 0;
        for (Map.Entry<String, String> d : DOMAINS.entrySet()) {
            long[][][] experts = route(d.getValue());
            tokens += experts[0].length;
            Repetition[] r = new Repetition[layers];
            for (int l = 0; l < layers; l++) {
                r[l] = Repetition.of(experts[l]);
                all[l] = all[l] == null ? r[l] : all[l].plus(r[l]);
                for (long[] chosen : experts[l]) {
                    firstLoad[l][(int) chosen[0]]++;
                    for (long x : chosen) {
                        load[l][(int) x]++;
                    }
                }
            }
            byDomain.put(d.getKey(), r);
        }
        normalise(load);
        normalise(firstLoad);
        return new Stats(byDomain, all, load, firstLoad, tokens);
    }

    /** The two texts the lesson shows side by side in the inspector's Figure 7 view, and their labels there. */
    static final List<String> LABELLED = List.of("French", "German");
    static final List<String> LABELS = List.of("fr", "de");

    /**
     * Each domain's share of its top-K assignments per layer and expert, [domain] -> [L][E], every token counted (BOS
     * too): {@link RoutingTally#loadShares()}, which the inspector's Figure 7 counts with as well.
     */
    static Map<String, double[][]> domainShares() {
        int layers = DemoRun.model().config().numHiddenLayers();
        List<String> names = new ArrayList<>(DOMAINS.keySet());
        RoutingTally tally = new RoutingTally(layers, names.size(), DemoRun.model().config().numLocalExperts());
        for (int g = 0; g < names.size(); g++) {
            tally.add(g, route(DOMAINS.get(names.get(g))));
        }
        double[][][] shares = tally.loadShares();                                   // [L][G][E]
        Map<String, double[][]> out = new LinkedHashMap<>();
        for (int g = 0; g < names.size(); g++) {
            double[][] rows = new double[layers][];
            for (int l = 0; l < layers; l++) {
                rows[l] = shares[l][g];
            }
            out.put(names.get(g), rows);
        }
        return out;
    }

    /** Where the two {@link #LABELLED} texts differ most: {layer, expert}. */
    static int[] widestGap(Map<String, double[][]> shares) {
        double[][] a = shares.get(LABELLED.get(0));
        double[][] b = shares.get(LABELLED.get(1));
        int[] best = {0, 0};
        for (int l = 0; l < a.length; l++) {
            for (int e = 0; e < a[l].length; e++) {
                if (Math.abs(a[l][e] - b[l][e]) > Math.abs(a[best[0]][best[1]] - b[best[0]][best[1]])) {
                    best = new int[] {l, e};
                }
            }
        }
        return best;
    }

    private static void figure7Numbers(Map<String, String> n) {
        Map<String, double[][]> shares = domainShares();
        int[] at = widestGap(shares);
        n.put("fig7_layer", Integer.toString(at[0]));
        n.put("fig7_expert", Integer.toString(at[1]));
        for (int i = 0; i < LABELLED.size(); i++) {
            String domain = LABELLED.get(i);
            String label = LABELS.get(i);
            // a code block inside a numbered step of the lesson: indented as the step's text
            n.put("fig7_" + label + "_text", "```text\n   " + DOMAINS.get(domain) + "\n   ```");
            n.put("fig7_" + label + "_tokens", Integer.toString(DemoRun.tokens(DOMAINS.get(domain)).length));
            n.put("fig7_" + label + "_share", Fmt.percent(shares.get(domain)[at[0]][at[1]]));
        }
    }

    private static void normalise(double[][] rows) {
        for (double[] row : rows) {
            double sum = Arrays.stream(row).sum();
            for (int i = 0; i < row.length; i++) {
                row[i] /= sum;
            }
        }
    }

    @Override
    public String markdown() {
        return "08-routing-statistics.md";
    }

    @Override
    public Map<String, String> numbers() {
        Stats s = stats();
        int e = DemoRun.model().config().numLocalExperts();
        Map<String, String> n = new LinkedHashMap<>();
        n.put("tokens", Integer.toString(s.tokens()));
        n.put("pairs", Long.toString(s.all()[0].pairs()));
        n.put("first_table", table(s, true));
        n.put("either_table", table(s, false));
        double lowest = 1;
        double highest = 0;
        for (double[] row : s.load()) {
            for (double v : row) {
                lowest = Math.min(lowest, v);
                highest = Math.max(highest, v);
            }
        }
        double lo = 1;
        double hi = 0;
        double chanceLo = 1;
        double chanceHi = 0;
        for (int l = 0; l < s.all().length; l++) {
            lo = Math.min(lo, s.all()[l].first());
            hi = Math.max(hi, s.all()[l].first());
            chanceLo = Math.min(chanceLo, s.chanceGivenLoad(l));
            chanceHi = Math.max(chanceHi, s.chanceGivenLoad(l));
        }
        n.put("pairs_min", Long.toString(s.byDomain().values().stream().mapToLong(r -> r[0].pairs()).min().orElse(0)));
        n.put("pairs_max", Long.toString(s.byDomain().values().stream().mapToLong(r -> r[0].pairs()).max().orElse(0)));
        n.put("either_last", Fmt.percent(s.all()[s.all().length - 1].either()));
        n.put("first_low", Fmt.percent(lo));
        n.put("first_high", Fmt.percent(hi));
        n.put("chance_low", Fmt.percent(chanceLo));
        n.put("chance_high", Fmt.percent(chanceHi));
        n.put("load_even", Fmt.percent(1.0 / e));
        n.put("load_low", Fmt.percent(lowest));
        n.put("load_high", Fmt.percent(highest));
        BesideThePaper.numbers(n);
        figure7Numbers(n);
        return n;
    }

    /** Rows: domains and all of them; columns: layers. */
    static String table(Stats s, boolean first) {
        int layers = s.all().length;
        StringBuilder b = new StringBuilder("| domain | pairs |");
        for (int l = 0; l < layers; l++) {
            b.append(" layer ").append(l).append(" |");
        }
        b.append("\n|---|---:|").append("---:|".repeat(layers)).append('\n');
        Map<String, Repetition[]> rows = new LinkedHashMap<>(s.byDomain());
        rows.put("**all**", s.all());
        rows.forEach((name, r) -> {
            b.append("| ").append(name).append(" | ").append(r[0].pairs()).append(" |");
            for (Repetition x : r) {
                b.append(' ').append(Fmt.percent(first ? x.first() : x.either())).append(" |");
            }
            b.append('\n');
        });
        if (first) {
            b.append("| *chance given the layer's load* | |");
            for (int l = 0; l < layers; l++) {
                b.append(" *").append(Fmt.percent(s.chanceGivenLoad(l))).append("* |");
            }
        }
        return b.toString().strip();
    }

    @Override
    public void drawFigures(Path dir) throws IOException {
        Stats s = stats();
        int e = DemoRun.model().config().numLocalExperts();
        int k = DemoRun.model().config().numExpertsPerTok();
        int layers = s.all().length;
        double[] x = new double[layers];
        double[] first = new double[layers];
        double[] either = new double[layers];
        double[] chance = new double[layers];
        for (int l = 0; l < layers; l++) {
            x[l] = l;
            chance[l] = 100 * s.chanceGivenLoad(l);
            first[l] = 100 * s.all()[l].first();
            either[l] = 100 * s.all()[l].either();
        }
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT + 110)
                .title("Consecutive tokens routed alike: demo model vs chance")
                .xAxisTitle("layer").yAxisTitle("% of consecutive token pairs").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        chart.addSeries("same first choice (demo)", x, first).setMarker(SeriesMarkers.CIRCLE);
        chart.addSeries("share one of top-" + k + " (demo)", x, either).setMarker(SeriesMarkers.SQUARE);
        baseline(chart, "chance: 1/" + e + " = " + Fmt.percent(Repetition.randomFirst(e)), x,
                100 * Repetition.randomFirst(e), Charts.PALETTE[0]);
        XYSeries given = chart.addSeries("chance given the layer's first-choice load", x, chance);
        given.setMarker(SeriesMarkers.NONE);
        given.setLineStyle(SeriesLines.DOT_DOT);
        given.setLineColor(Charts.PALETTE[0]);
        baseline(chart, "chance: " + Facts.shareOneFormula(e, k) + " = " + Fmt.percent(Repetition.randomShareOne(e, k)),
                x, 100 * Repetition.randomShareOne(e, k), Charts.PALETTE[1]);
        Charts.save(chart, dir.resolve("08-repetition.png"));

        BesideThePaper.draw(dir.resolve("08-against-the-paper.png"));

        HeatMapChart heat = new HeatMapChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Expert load: share of the top-" + k + " assignments each expert received (demo model)")
                .xAxisTitle("expert").yAxisTitle("layer").build();
        Charts.style(heat.getStyler());
        heat.getStyler().setShowValue(true);
        heat.getStyler().setRangeColors(new Color[] {Color.WHITE, Charts.PALETTE[1]});
        List<Integer> experts = new ArrayList<>();
        for (int i = 0; i < e; i++) {
            experts.add(i);
        }
        List<Integer> layerIds = new ArrayList<>();
        List<Number[]> cells = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            layerIds.add(l);
            for (int i = 0; i < e; i++) {
                cells.add(new Number[] {i, l, Math.round(s.load()[l][i] * 1000) / 10.0});
            }
        }
        heat.addSeries("load %", experts, layerIds, cells);
        Charts.save(heat, dir.resolve("08-expert-load.png"));
    }

    private static void baseline(XYChart chart, String name, double[] x, double y, Color color) {
        double[] ys = new double[x.length];
        Arrays.fill(ys, y);
        XYSeries s = chart.addSeries(name, x, ys);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.DASH_DASH);
        s.setLineColor(color);
    }
}
