package mixtral.tutorials;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mixtral.compare.Margins;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Lesson 5: one token through every layer of the demo model, read from a trace file: the experts it went to and
 * their weights, the router's margin, the size of the residual stream and of what attention and the MoE add to it,
 * and what the model would predict if it stopped there (the logit lens).
 *
 * <p>Shape legend: T tokens, D hidden, E experts, K experts per token, V vocab.
 */
public final class FollowingOneToken implements Lesson {
    static final String PIECE = "\u2581each";

    /** One layer, seen by the token. */
    record Step(int layer, long[] experts, float[] weights, double margin, double attnOut, double residMid,
                double moeOut, double residPost, String lens) {}

    record Followed(int position, double embed, List<Step> steps, float[][] probs) {}

    /** Writes the sentence's trace to a file, reads it back, and follows the token {@link #PIECE} through it. */
    static Followed follow() {
        Trace trace = readBack(DemoRun.trace(DemoRun.SENTENCE, false));
        long[] tokens = trace.get(TensorNames.TOKENS).toLongVector();
        int t = -1;
        for (int i = 0; i < tokens.length && t < 0; i++) {
            t = DemoRun.piece(tokens[i]).equals(PIECE) ? i : -1;
        }
        if (t < 0) {
            throw new IllegalStateException("the demo tokenizer no longer has '" + PIECE + "' as one piece");
        }
        int layers = trace.config().numHiddenLayers();
        int k = (int) trace.get(TensorNames.selectedExperts(0)).size(1);
        List<Step> steps = new ArrayList<>();
        float[][] probs = new float[layers][];
        for (int l = 0; l < layers; l++) {
            INDArray post = trace.get(TensorNames.residPost(l)).getRow(t, true);                  // [1, D]
            INDArray lens = DemoRun.model().logitLens(post);                                       // [1, V]
            long top = lens.argMax(1).getLong(0);
            probs[l] = trace.get(TensorNames.routerProbs(l)).getRow(t).toFloatVector();            // [E]
            steps.add(new Step(l,
                    trace.get(TensorNames.selectedExperts(l)).getRow(t).toLongVector(),
                    trace.get(TensorNames.routingWeights(l)).getRow(t).toFloatVector(),
                    Margins.margin(trace.get(TensorNames.routerLogits(l)).getRow(t).toFloatVector(), k),
                    norm(trace, TensorNames.attnOut(l), t), norm(trace, TensorNames.residMid(l), t),
                    norm(trace, TensorNames.moeOut(l), t), norm(trace, TensorNames.residPost(l), t),
                    DemoRun.piece(top)));
        }
        return new Followed(t, norm(trace, TensorNames.EMBED, t), steps, probs);
    }

    private static Trace readBack(Trace trace) {
        try {
            Path file = Files.createTempFile("lesson5-", ".safetensors");
            try {
                trace.write(file);
                return Trace.read(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double norm(Trace trace, String name, int t) {
        return trace.get(name).getRow(t).norm2Number().doubleValue();
    }

    @Override
    public String markdown() {
        return "05-following-one-token.md";
    }

    @Override
    public Map<String, String> numbers() {
        Followed f = follow();
        Step last = f.steps().get(f.steps().size() - 1);
        Map<String, String> n = new LinkedHashMap<>();
        n.put("position", Integer.toString(f.position()));
        n.put("embed", Fmt.fixed(f.embed(), 3));
        n.put("final", Fmt.fixed(last.residPost(), 3));
        n.put("growth", Fmt.fixed(last.residPost() / f.embed(), 1));
        n.put("table", table(f));
        long distinct = f.steps().stream().flatMapToLong(s -> Arrays.stream(s.experts())).distinct().count();
        n.put("distinct", Long.toString(distinct));
        Step closest = f.steps().stream().min(Comparator.comparingDouble(Step::margin)).orElseThrow();
        n.put("closest_layer", Integer.toString(closest.layer()));
        n.put("closest_margin", Fmt.fixed(closest.margin(), 4));
        return n;
    }

    static String table(Followed f) {
        StringBuilder s = new StringBuilder("| layer | experts | weights | margin | \\|attn.out\\| | \\|resid_mid\\| "
                + "| \\|moe.out\\| | \\|resid_post\\| | logit lens top-1 |\n|---:|:---:|:---:|---:|---:|---:|---:|---:|:---|\n");
        for (Step st : f.steps()) {
            s.append("| ").append(st.layer()).append(" | ").append(st.experts()[0]).append(", ").append(st.experts()[1])
                    .append(" | ").append(Fmt.fixed(st.weights()[0], 2)).append(", ").append(Fmt.fixed(st.weights()[1], 2))
                    .append(" | ").append(Fmt.fixed(st.margin(), 3))
                    .append(" | ").append(Fmt.fixed(st.attnOut(), 2)).append(" | ").append(Fmt.fixed(st.residMid(), 2))
                    .append(" | ").append(Fmt.fixed(st.moeOut(), 2)).append(" | ").append(Fmt.fixed(st.residPost(), 2))
                    .append(" | `").append(st.lens()).append("` |\n");
        }
        return s.toString().strip();
    }

    @Override
    public void drawFigures(Path dir) throws IOException {
        Followed f = follow();
        int layers = f.steps().size();
        double[] x = new double[2 * layers + 1];
        double[] resid = new double[x.length];
        resid[0] = f.embed();
        double[] xs = new double[layers];
        double[] attn = new double[layers];
        double[] moe = new double[layers];
        for (Step st : f.steps()) {
            int l = st.layer();
            x[2 * l + 1] = l + 0.5;
            x[2 * l + 2] = l + 1;
            resid[2 * l + 1] = st.residMid();
            resid[2 * l + 2] = st.residPost();
            xs[l] = l + 0.5;
            attn[l] = st.attnOut();
            moe[l] = st.moeOut();
        }
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("The residual stream of '" + PIECE.substring(1) + "', layer by layer (demo model)")
                .xAxisTitle("0 = embedding; l + 0.5 = after layer l's attention; l + 1 = after its MoE").yAxisTitle("L2 norm").build();
        Charts.style(chart.getStyler());
        chart.addSeries("|residual stream|", x, resid);
        XYSeries a = chart.addSeries("|attn.out|", xs, attn);
        a.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        a.setMarker(SeriesMarkers.DIAMOND);
        double[] xm = xs.clone();
        for (int i = 0; i < xm.length; i++) {
            xm[i] += 0.5;
        }
        XYSeries m = chart.addSeries("|moe.out|", xm, moe);
        m.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        m.setMarker(SeriesMarkers.SQUARE);
        Charts.save(chart, dir.resolve("05-residual-stream.png"));

        HeatMapChart heat = new HeatMapChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Router probabilities of '" + PIECE.substring(1) + "' (softmax over all " + f.probs()[0].length
                        + "), per layer")
                .xAxisTitle("expert").yAxisTitle("layer").build();
        Charts.style(heat.getStyler());
        heat.getStyler().setShowValue(true);
        heat.getStyler().setMin(0).setMax(1);
        heat.getStyler().setRangeColors(new Color[] {Color.WHITE, Charts.PALETTE[0]});
        List<Integer> experts = new ArrayList<>();
        for (int e = 0; e < f.probs()[0].length; e++) {
            experts.add(e);
        }
        List<Integer> layerIds = new ArrayList<>();
        List<Number[]> cells = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            layerIds.add(l);
            for (int e = 0; e < experts.size(); e++) {
                cells.add(new Number[] {e, l, Math.round(f.probs()[l][e] * 100) / 100.0});
            }
        }
        heat.addSeries("probability", experts, layerIds, cells);
        Charts.save(heat, dir.resolve("05-router-probabilities.png"));
    }

}
