package mixtral.tutorials;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import mixtral.compare.Margins;
import mixtral.compare.Report;
import mixtral.compare.ReportPrinter;
import mixtral.compare.Tolerances;
import mixtral.compare.TraceComparison;
import mixtral.compare.TraceComparison.Options;
import mixtral.config.MixtralConfig;
import mixtral.demo.DemoModel;
import mixtral.model.Intervention;
import mixtral.model.MixtralModel;
import mixtral.model.Routing;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.Checkpoint;
import mixtral.weights.WeightSource;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Lesson 7: regression-testing another engine against the reference with {@code ./mixtral compare}. The "faster
 * engine" here is the reference itself on slightly perturbed weights (as after a lossy conversion); its trace is
 * compared with the reference's through {@link TraceComparison}, the code behind the CLI.
 *
 * <p>Shape legend: T tokens, E experts, K experts per token.
 */
public final class RegressionTesting implements Lesson {
    /** How far the "faster engine's" weights are from the reference's: each is off by up to this fraction. */
    static final double EPS = 1e-2;
    /** Tolerances that match what such an engine is meant to be, the lesson's second verdict. */
    static final Tolerances LOOSE = new Tolerances(1e-2, 1e-2, 1e-2);
    static final String TEXT = RoutingStatistics.DOMAINS.get("English") + " " + RoutingStatistics.DOMAINS.get("French");

    /** Every weight of w multiplied by 1 + EPS * u, u uniform in [-1, 1] with a fixed seed. */
    static WeightSource perturbed(WeightSource w, double eps) {
        SplittableRandom random = new SplittableRandom(7);
        return map(w, a -> {
            float[] v = a.dup('c').data().asFloat();
            for (int i = 0; i < v.length; i++) {
                v[i] *= (float) (1 + eps * (2 * random.nextDouble() - 1));
            }
            return Nd4j.create(v, a.shape(), 'c');
        });
    }

    /** Every weight of {@code w}, rounded. */
    static WeightSource map(WeightSource w, UnaryOperator<INDArray> r) {
        return new WeightSource() {
            @Override public MixtralConfig config() { return w.config(); }
            @Override public INDArray embedding() { return r.apply(w.embedding()); }
            @Override public INDArray finalNorm() { return r.apply(w.finalNorm()); }
            @Override public INDArray lmHead() { return r.apply(w.lmHead()); }
            @Override public INDArray attnNorm(int l) { return r.apply(w.attnNorm(l)); }
            @Override public INDArray wq(int l) { return r.apply(w.wq(l)); }
            @Override public INDArray wk(int l) { return r.apply(w.wk(l)); }
            @Override public INDArray wv(int l) { return r.apply(w.wv(l)); }
            @Override public INDArray wo(int l) { return r.apply(w.wo(l)); }
            @Override public INDArray moeNorm(int l) { return r.apply(w.moeNorm(l)); }
            @Override public INDArray gate(int l) { return r.apply(w.gate(l)); }
            @Override public INDArray w1(int l, int e) { return r.apply(w.w1(l, e)); }
            @Override public INDArray w2(int l, int e) { return r.apply(w.w2(l, e)); }
            @Override public INDArray w3(int l, int e) { return r.apply(w.w3(l, e)); }
        };
    }

    /** The reference's trace and the faster engine's, each written to a file and read back, as the CLI would. */
    record Traces(Trace expected, Trace actual) {}

    static Traces traces(double eps) {
        long[] tokens = DemoRun.tokens(TEXT);
        TraceRecorder a = TraceRecorder.all(false);
        DemoRun.model().forward(tokens, a);
        TraceRecorder b = TraceRecorder.all(false);
        try (Checkpoint c = Checkpoint.open(DemoModel.folder())) {
            MixtralModel.load(perturbed(c, eps)).forward(tokens, b);
        }
        return new Traces(viaFile(a.toTrace(DemoRun.model().config())), viaFile(b.toTrace(DemoRun.model().config())));
    }

    private static Trace viaFile(Trace t) {
        try {
            Path file = Files.createTempFile("lesson7-", ".safetensors");
            try {
                t.write(file);
                return Trace.read(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Report compare(Traces t, Tolerances tol) {
        return TraceComparison.compare(t.expected(), t.actual(), tol);
    }

    /** {@code ./mixtral compare ... --model}: the engine's routing replayed through the reference. */
    static Report replayed(Traces t, Tolerances tol) {
        return TraceComparison.compare(t.expected(), t.actual(), tol, new Options(List.of(), DemoRun.model()));
    }

    /** The tolerances of lesson 7's real tie: float32 ones, and a tie margin above the nearest decision's margin. */
    static final Tolerances TIE = new Tolerances(1e-4, 1e-4, 1e-3);

    /**
     * A real tie: the reference itself, with the token of the smallest margin at that layer sent to its runner-up
     * (the (K+1)-th expert) instead of its K-th choice. Either choice is right; only a replay can show it.
     */
    static Traces realTie(Traces t, int layer, int token) {
        int k = DemoRun.model().config().numExpertsPerTok();
        float[] logits = t.expected().get(TensorNames.routerLogits(layer)).toFloatMatrix()[token];
        int[] ranked = Routing.topK(logits, k + 1);
        int[] forced = Arrays.copyOf(ranked, k);
        forced[k - 1] = ranked[k];
        TraceRecorder rec = TraceRecorder.all(false);
        DemoRun.model().with(Intervention.NONE.withForced(layer, token, forced)).forward(
                t.expected().get(TensorNames.TOKENS).toLongVector(), rec);
        return new Traces(t.expected(), viaFile(rec.toTrace(DemoRun.model().config())));
    }

    /** The report as {@code ./mixtral compare reference.safetensors faster.safetensors} prints it. */
    static String printed(Report r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ReportPrinter.print(r, "reference.safetensors", "faster.safetensors", new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The printed report without the per-tensor table, which is long: routing, flips, logits and the verdict. */
    static String excerpt(String printed) {
        StringBuilder s = new StringBuilder();
        boolean keep = false;
        for (String line : printed.split("\n")) {
            if (line.startsWith("layer ")) {
                keep = true;
            }
            if (keep) {
                s.append(line.stripTrailing()).append('\n');
            }
        }
        return s.toString().strip();
    }

    private static String verdict(Report r) {
        return r.passed() ? "within tolerance" : "outside tolerance";
    }

    /** From the printed report, the flips and the routing decisions the replay found wrong, and the verdict. */
    static String routingExcerpt(String printed) {
        StringBuilder s = new StringBuilder();
        boolean keep = false;
        for (String line : printed.split("\n")) {
            keep |= line.startsWith("flips ");
            if (keep && !line.startsWith("logits") && !line.startsWith("not compared")) {
                s.append(line.stripTrailing()).append('\n');
            }
        }
        return s.toString().strip().replaceAll("\n{3,}", "\n\n");
    }

    @Override
    public String markdown() {
        return "07-regression-testing.md";
    }

    /** Every routing decision of the expected trace: layer, token, margin, and whether the engine flipped it. */
    record Decision(int layer, int token, double margin, boolean flipped) {}

    static List<Decision> decisions(Traces t, Report r) {
        List<Decision> out = new ArrayList<>();
        int layers = t.expected().config().numHiddenLayers();
        int k = t.expected().config().numExpertsPerTok();
        for (int l = 0; l < layers; l++) {
            float[][] logits = t.expected().get(TensorNames.routerLogits(l)).toFloatMatrix();
            for (int tok = 0; tok < logits.length; tok++) {
                int layer = l;
                int token = tok;
                boolean flipped = r.flips().stream().anyMatch(f -> f.layer() == layer && f.token() == token);
                out.add(new Decision(l, tok, Margins.margin(logits[tok], k), flipped));
            }
        }
        return out;
    }

    @Override
    public Map<String, String> numbers() {
        Traces t = traces(EPS);
        Report strict = compare(t, Tolerances.DEFAULT);
        Report loose = compare(t, LOOSE);
        Report self = compare(new Traces(t.expected(), t.expected()), Tolerances.DEFAULT);
        long[] tokens = t.expected().get(TensorNames.TOKENS).toLongVector();
        List<Decision> ds = decisions(t, strict);
        Decision nearTie = ds.stream().filter(d -> !d.flipped()).min(Comparator.comparingDouble(Decision::margin))
                .orElseThrow();
        Report.Flip widest = strict.flips().stream().max(Comparator.comparingDouble(Report.Flip::margin)).orElseThrow();

        Map<String, String> n = new LinkedHashMap<>();
        n.put("tokens", Integer.toString(tokens.length));
        n.put("decisions", Fmt.grouped(ds.size()));
        n.put("eps", Fmt.sci(EPS));
        n.put("eps_percent", Fmt.shortest(100 * EPS) + "%");
        n.put("loose_tol", Fmt.shortest(LOOSE.tieMargin()));
        n.put("self", verdict(self));
        n.put("strict", verdict(strict));
        n.put("loose_verdict", verdict(loose));
        n.put("report", Fmt.codeBlock("", excerpt(printed(strict))));
        n.put("loose_command", Fmt.codeBlock("sh", "./mixtral compare reference.safetensors faster.safetensors --atol "
                + Fmt.shortest(LOOSE.atol()) + " --rtol " + Fmt.shortest(LOOSE.rtol()) + " --tie-margin "
                + Fmt.shortest(LOOSE.tieMargin())));
        n.put("flips", Integer.toString(strict.flips().size()));
        n.put("flip_layer", Integer.toString(widest.layer()));
        n.put("flip_token", Integer.toString(widest.token()));
        n.put("flip_piece", Fmt.code(DemoRun.piece(tokens[widest.token()])));
        n.put("flip_expected", Arrays.toString(widest.expectedExperts()));
        n.put("flip_actual", Arrays.toString(widest.actualExperts()));
        n.put("flip_kept", Long.toString(widest.expectedExperts()[widest.expectedExperts().length - 1]));
        n.put("flip_taken", Long.toString(widest.actualExperts()[widest.actualExperts().length - 1]));
        n.put("flip_margin", Fmt.sci(widest.margin()));
        n.put("tie_layer", Integer.toString(nearTie.layer()));
        n.put("tie_token", Integer.toString(nearTie.token()));
        n.put("tie_piece", Fmt.code(DemoRun.piece(tokens[nearTie.token()])));
        n.put("tie_margin", Fmt.sci(nearTie.margin()));
        n.put("top1", Fmt.percent(strict.logits().top1Agreement()));
        n.put("first", Fmt.code(strict.first().tensor()));
        Report replay = replayed(t, LOOSE);
        Traces tie = realTie(t, nearTie.layer(), nearTie.token());
        Report tieWithout = compare(tie, TIE);
        n.put("replayed", verdict(replay));
        n.put("replay_ties", Long.toString(replay.flips().stream().filter(Report.Flip::tie).count()));
        n.put("replay_wrong", Integer.toString(replay.wrongDecisions().size()));
        n.put("replay_report", Fmt.codeBlock("", routingExcerpt(printed(replay))));
        n.put("tie_tol", Fmt.shortest(TIE.tieMargin()));
        n.put("tie_without", verdict(tieWithout));
        n.put("tie_first", Fmt.code(tieWithout.first().tensor()));
        n.put("tie_with", verdict(replayed(tie, TIE)));
        return n;
    }

    @Override
    public void drawFigures(Path dir) throws IOException {
        Traces t = traces(EPS);
        List<Decision> ds = decisions(t, compare(t, Tolerances.DEFAULT));
        Function<Boolean, double[][]> xy = flipped -> {
            List<Decision> sel = ds.stream().filter(d -> d.flipped() == flipped).toList();
            double[][] v = new double[2][sel.size()];
            for (int i = 0; i < sel.size(); i++) {
                v[0][i] = Math.max(1e-6, sel.get(i).margin());
                v[1][i] = sel.get(i).layer() + 0.6 * (((sel.get(i).token() * 0.618034) % 1) - 0.5);   // spread the dots
            }
            return v;
        };
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Router margins of every decision, and the ones the perturbed engine flipped")
                .xAxisTitle("router margin in the reference (2nd minus 3rd logit), log scale").yAxisTitle("layer").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(6);
        double[][] kept = xy.apply(false);
        double[][] flipped = xy.apply(true);
        chart.addSeries("same experts", kept[0], kept[1]).setMarker(SeriesMarkers.CIRCLE);
        chart.addSeries("flipped", flipped[0], flipped[1]).setMarker(SeriesMarkers.DIAMOND);
        Charts.save(chart, dir.resolve("07-margins.png"));
    }
}
