package mixtral.tutorials;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import mixtral.compare.Report;
import mixtral.compare.ReportPrinter;
import mixtral.compare.Tolerances;
import mixtral.gguf.GgmlType;
import mixtral.trace.TensorNames;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Lesson 7: regression-testing a real engine against the reference with {@code ./mixtral compare}. The engine is
 * llama.cpp, run by {@link EngineRuns} on the demo model with float32 weights (which must agree), then with Q8_0 and
 * Q4_0 quantised weights (which flip some routing decisions).
 *
 * <p>Shape legend: T tokens, E experts, K experts per token.
 */
public final class RegressionTesting implements Lesson {
    static final String TEXT = RoutingStatistics.DOMAINS.get("English") + " " + RoutingStatistics.DOMAINS.get("French");
    /** The CI gate for an engine with 8-bit weights: atol, rtol, and a tie margin above its router-logit error. */
    static final Tolerances GATE = new Tolerances(1, 0.1, 0.1);
    /** Upper edges of the router-margin bins flips are counted in (the last bin is open). */
    static final double[] MARGIN_EDGES = {1e-3, 1e-2, 1e-1, 1};
    /** Where a reader's checkout keeps the demo model, the folder {@code --model} names. */
    static final String DEMO_DIR = "reference/src/main/resources/demo-model";

    @Override
    public String markdown() {
        return "07-regression-testing.md";
    }

    @Override
    public Optional<String> unavailable() {
        return EngineRuns.unavailable();
    }

    /** The report as {@code ./mixtral compare reference.safetensors llama.safetensors} prints it. */
    static String printed(Report r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ReportPrinter.print(r, "reference.safetensors", "llama.safetensors", new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The printed report from its routing table on: the long per-tensor table before it is left out. */
    static String excerpt(String printed) {
        StringBuilder s = new StringBuilder();
        boolean keep = false;
        for (String line : printed.split("\n")) {
            keep |= line.startsWith("layer ");
            if (keep) {
                s.append(line.stripTrailing()).append('\n');
            }
        }
        return s.toString().strip();
    }

    static String verdict(Report r) {
        return r.passed() ? "within tolerance" : "outside tolerance";
    }

    static int bin(double margin) {
        int b = 0;
        while (b < MARGIN_EDGES.length && margin >= MARGIN_EDGES[b]) {
            b++;
        }
        return b;
    }

    /** Flipped decisions / all decisions, per router-margin bin and weight type, as a Markdown table. */
    static String marginTable(List<EngineRuns.Decision> ds) {
        StringBuilder s = new StringBuilder("| weights | margin < 1e-3 | 1e-3 to 1e-2 | 1e-2 to 0.1 | 0.1 to 1 | 1 or more |\n"
                + "|---|---|---|---|---|---|\n");
        for (GgmlType type : EngineRuns.TYPES) {
            Report r = EngineRuns.compare(type, Tolerances.DEFAULT);
            int[] flips = new int[MARGIN_EDGES.length + 1];
            int[] all = new int[MARGIN_EDGES.length + 1];
            for (EngineRuns.Decision d : ds) {
                all[bin(d.margin())]++;
                flips[bin(d.margin())] += d.flippedIn(r) ? 1 : 0;
            }
            s.append("| ").append(type).append(" |");
            for (int b = 0; b < all.length; b++) {
                s.append(' ').append(flips[b]).append(" / ").append(Fmt.grouped(all[b])).append(" |");
            }
            s.append('\n');
        }
        return s.toString().strip();
    }

    /** Per weight type, what the default comparison reports, as a Markdown table. */
    static String summaryTable() {
        StringBuilder s = new StringBuilder("| weights | verdict | flips | top-1 agreement | KL mean (nats) | KL max | "
                + "first divergence |\n|---|---|---|---|---|---|---|\n");
        for (GgmlType type : EngineRuns.TYPES) {
            Report r = EngineRuns.compare(type, Tolerances.DEFAULT);
            s.append("| ").append(type).append(" | ").append(verdict(r)).append(" | ").append(r.flips().size())
                    .append(" | ").append(Fmt.percent(r.logits().top1Agreement())).append(" | ")
                    .append(Fmt.sci(r.logits().meanKl())).append(" | ").append(Fmt.sci(r.logits().maxKl())).append(" | ")
                    .append(r.first() == null ? "none" : Fmt.code(r.first().tensor()) + ", token " + r.first().token())
                    .append(" |\n");
        }
        return s.toString().strip();
    }

    private static String commandLine(GgmlType type, Tolerances tol, boolean model, String junit) {
        return "./mixtral compare reference.safetensors llama-" + type + ".safetensors --atol " + Fmt.shortest(tol.atol())
                + " --rtol " + Fmt.shortest(tol.rtol()) + " --tie-margin " + Fmt.shortest(tol.tieMargin())
                + (model ? " \\\n    --model " + DEMO_DIR : "") + (junit != null ? " --junit " + junit : "");
    }

    @Override
    public Map<String, String> numbers() {
        long[] tokens = EngineRuns.reference().get(TensorNames.TOKENS).toLongVector();
        List<EngineRuns.Decision> ds = EngineRuns.decisions();
        Report f32 = EngineRuns.compare(GgmlType.F32, Tolerances.DEFAULT);
        Report q8 = EngineRuns.compare(GgmlType.Q8_0, Tolerances.DEFAULT);
        Report q4 = EngineRuns.compare(GgmlType.Q4_0, Tolerances.DEFAULT);
        Report q8Gate = EngineRuns.compare(GgmlType.Q8_0, GATE);
        Report q8Replayed = EngineRuns.replayed(GgmlType.Q8_0, GATE);
        Report q4Replayed = EngineRuns.replayed(GgmlType.Q4_0, GATE);

        Map<String, String> n = new LinkedHashMap<>();
        n.put("tokens", Integer.toString(tokens.length));
        n.put("decisions", Fmt.grouped(ds.size()));
        n.put("f32_verdict", verdict(f32));
        n.put("f32_flips", Integer.toString(f32.flips().size()));
        n.put("f32_scaled", Fmt.sci(EngineRuns.scaledError(f32)));
        n.put("f32_kl", Fmt.sci(f32.logits().meanKl()));

        n.put("q8_report", Fmt.codeBlock("", excerpt(printed(q8))));
        n.put("q8_verdict", verdict(q8));
        n.put("q8_first", Fmt.code(q8.first().tensor()));
        n.put("q8_flips", Integer.toString(q8.flips().size()));
        Report.Flip widest = q8.flips().stream().max(Comparator.comparingDouble(Report.Flip::margin)).orElseThrow();
        n.put("flip_layer", Integer.toString(widest.layer()));
        n.put("flip_token", Integer.toString(widest.token()));
        n.put("flip_piece", Fmt.code(DemoRun.piece(tokens[widest.token()])));
        n.put("flip_expected", Arrays.toString(widest.expectedExperts()));
        n.put("flip_actual", Arrays.toString(widest.actualExperts()));
        n.put("flip_kept", Long.toString(widest.expectedExperts()[widest.expectedExperts().length - 1]));
        n.put("flip_taken", Long.toString(widest.actualExperts()[widest.actualExperts().length - 1]));
        n.put("flip_margin", Fmt.sci(widest.margin()));
        n.put("q8_router_error", Fmt.sci(EngineRuns.routerLogitError(q8Replayed)));

        n.put("summary", "\n" + summaryTable() + "\n");
        n.put("margins", "\n" + marginTable(ds) + "\n");
        n.put("q4_flips", Integer.toString(q4.flips().size()));
        n.put("q4_widest", Fmt.sci(q4.flips().stream().mapToDouble(Report.Flip::margin).max().orElseThrow()));
        n.put("q4_router_error", Fmt.sci(EngineRuns.routerLogitError(q4Replayed)));

        EngineRuns.Decision nearTie = ds.stream().min(Comparator.comparingDouble(EngineRuns.Decision::margin)).orElseThrow();
        n.put("tie_layer", Integer.toString(nearTie.layer()));
        n.put("tie_token", Integer.toString(nearTie.token()));
        n.put("tie_piece", Fmt.code(DemoRun.piece(tokens[nearTie.token()])));
        n.put("tie_margin", Fmt.sci(nearTie.margin()));
        List<String> flippedIt = EngineRuns.TYPES.stream()
                .filter(t -> nearTie.flippedIn(EngineRuns.compare(t, Tolerances.DEFAULT))).map(GgmlType::name).toList();
        n.put("tie_flipped_by", flippedIt.isEmpty() ? "none of them" : String.join(" and ", flippedIt));

        n.put("gate_atol", Fmt.shortest(GATE.atol()));
        n.put("gate_rtol", Fmt.shortest(GATE.rtol()));
        n.put("gate_tie", Fmt.shortest(GATE.tieMargin()));
        n.put("resid_max", Long.toString(Math.round(EngineRuns.residualMax())));
        n.put("q8_scaled", Fmt.sci(EngineRuns.scaledError(q8Replayed)));
        n.put("gate_command", Fmt.codeBlock("sh", commandLine(GgmlType.Q8_0, GATE, false, null)));
        n.put("q8_gate_verdict", verdict(q8Gate));
        n.put("q8_gate_ties", Long.toString(q8Gate.flips().stream().filter(Report.Flip::tie).count()));
        n.put("q8_gate_first", Fmt.code(q8Gate.first().tensor()));
        n.put("q8_gate_first_token", Integer.toString(q8Gate.first().token()));
        n.put("q8_gate_hint", Fmt.codeBlock("", q8Gate.hint()));
        n.put("q8_replayed", verdict(q8Replayed));
        n.put("q8_wrong", Integer.toString(q8Replayed.wrongDecisions().size()));

        n.put("q4_replayed", verdict(q4Replayed));
        n.put("q4_wrong", Integer.toString(q4Replayed.wrongDecisions().size()));
        n.put("q4_tensors_outside", Long.toString(q4Replayed.tensors().stream().filter(d -> !d.within()).count()));
        n.put("q4_shortfall", Fmt.sci(q4Replayed.wrongDecisions().stream().mapToDouble(Report.Decision::shortfall)
                .max().orElse(0)));
        n.put("q4_wrong_list", Fmt.codeBlock("", q4Replayed.wrongDecisions().stream()
                .sorted(Comparator.comparingDouble(Report.Decision::shortfall).reversed()).limit(3)
                .map(d -> "WRONG layer " + d.layer() + " token " + d.token() + ": B " + Arrays.toString(d.actualExperts())
                        + ", reference " + Arrays.toString(d.referenceExperts()) + ", " + String.format(java.util.Locale.ROOT,
                        "%.3g", d.shortfall()) + " below its K-th router logit")
                .collect(Collectors.joining("\n"))));

        n.put("ci_command", Fmt.codeBlock("sh", commandLine(GgmlType.Q8_0, GATE, true, "llama-Q8_0.xml")));
        EngineRuns.Junit q8Junit = EngineRuns.junit(q8Replayed);
        EngineRuns.Junit q4Junit = EngineRuns.junit(q4Replayed);
        n.put("q8_junit", q8Junit.tests() + " test cases, " + q8Junit.failures() + " failures");
        n.put("q4_junit", q4Junit.tests() + " test cases, " + q4Junit.failures() + " failures");
        return n;
    }

    @Override
    public void drawFigures(Path dir) throws IOException {
        List<EngineRuns.Decision> ds = EngineRuns.decisions();
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Router margins of every decision, and the ones llama.cpp flipped")
                .xAxisTitle("router margin in the reference (2nd minus 3rd logit), log scale").yAxisTitle("layer").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(6);
        Report q8 = EngineRuns.compare(GgmlType.Q8_0, Tolerances.DEFAULT);
        Report q4 = EngineRuns.compare(GgmlType.Q4_0, Tolerances.DEFAULT);
        addSeries(chart, "same experts", ds.stream().filter(d -> !d.flippedIn(q8) && !d.flippedIn(q4)).toList(), 0)
                .setMarker(SeriesMarkers.CIRCLE);
        addSeries(chart, "flipped by Q4_0", ds.stream().filter(d -> d.flippedIn(q4)).toList(), 0)
                .setMarker(SeriesMarkers.DIAMOND);
        addSeries(chart, "flipped by Q8_0", ds.stream().filter(d -> d.flippedIn(q8)).toList(), 0.25)
                .setMarker(SeriesMarkers.TRIANGLE_UP);
        Charts.save(chart, dir.resolve("07-margins.png"));
    }

    /** One dot per decision at its margin, spread vertically around its layer so that dots do not hide each other. */
    private static XYSeries addSeries(XYChart chart, String name, List<EngineRuns.Decision> ds, double shift) {
        double[] x = new double[ds.size()];
        double[] y = new double[ds.size()];
        for (int i = 0; i < ds.size(); i++) {
            x[i] = Math.max(1e-6, ds.get(i).margin());
            y[i] = ds.get(i).layer() + shift + 0.5 * (((ds.get(i).token() * 0.618034) % 1) - 0.5);
        }
        return chart.addSeries(name, x, y);
    }
}
