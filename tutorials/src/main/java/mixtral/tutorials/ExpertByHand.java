package mixtral.tutorials;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import mixtral.demo.DemoModel;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.weights.Checkpoint;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Lesson 4: an expert is a SwiGLU feed-forward network, y = w2 (silu(w1 x) * (w3 x)). This class runs the two experts
 * a token was routed to by hand, in plain loops over the checkpoint's weights, adds them with the routing weights and
 * compares the sum with the MoE output the model recorded.
 *
 * <p>Shape legend: D hidden, F expert hidden, K experts per token.
 */
public final class ExpertByHand implements Lesson {
    static final int LAYER = 0;

    /** One expert by hand: w1, w3 [F, D], w2 [D, F], x [D] -> the hidden gate pre-activations and the output. */
    record Run(double[] gatePre, double[] out) {}

    static Run expert(float[][] w1, float[][] w2, float[][] w3, float[] x) {
        int f = w1.length;
        int d = x.length;
        double[] gatePre = new double[f];    // [F] w1 x
        double[] hidden = new double[f];     // [F] silu(w1 x) * (w3 x)
        for (int i = 0; i < f; i++) {
            double a = 0;
            double b = 0;
            for (int j = 0; j < d; j++) {
                a += w1[i][j] * x[j];
                b += w3[i][j] * x[j];
            }
            gatePre[i] = a;
            hidden[i] = silu(a) * b;
        }
        double[] out = new double[d];         // [D] w2 hidden
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < f; j++) {
                out[i] += w2[i][j] * hidden[j];
            }
        }
        return new Run(gatePre, out);
    }

    /** SiLU (swish): a * sigmoid(a). Like ReLU for large |a|, but smooth, and slightly negative below 0. */
    static double silu(double a) {
        return a / (1 + Math.exp(-a));
    }

    /** The token, its experts and weights, both experts run by hand, their weighted sum, and the recorded output. */
    record Worked(int position, int[] experts, float[] weights, Run[] runs, double[] sum, float[] recorded,
                  double maxDiff) {}

    static Worked worked() {
        Trace trace = DemoRun.trace(DemoRun.SENTENCE, false);
        int t = TheRouter.worked(trace).position();
        float[] x = trace.get(TensorNames.moeNorm(LAYER)).getRow(t).toFloatVector();                 // [D]
        long[] chosen = trace.get(TensorNames.selectedExperts(LAYER)).getRow(t).toLongVector();     // [K]
        float[] weights = trace.get(TensorNames.routingWeights(LAYER)).getRow(t).toFloatVector();   // [K]
        float[] recorded = trace.get(TensorNames.moeOut(LAYER)).getRow(t).toFloatVector();          // [D]

        int[] experts = new int[chosen.length];
        Run[] runs = new Run[chosen.length];
        double[] sum = new double[x.length];
        try (Checkpoint c = Checkpoint.open(DemoModel.folder())) {
            for (int j = 0; j < chosen.length; j++) {
                experts[j] = (int) chosen[j];
                runs[j] = expert(c.w1(LAYER, experts[j]).toFloatMatrix(), c.w2(LAYER, experts[j]).toFloatMatrix(),
                        c.w3(LAYER, experts[j]).toFloatMatrix(), x);
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += weights[j] * runs[j].out()[i];
                }
            }
        }
        double maxDiff = 0;
        for (int i = 0; i < sum.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(sum[i] - recorded[i]));
        }
        return new Worked(t, experts, weights, runs, sum, recorded, maxDiff);
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Override
    public String markdown() {
        return "04-an-expert-is-a-swiglu-ffn.md";
    }

    @Override
    public Map<String, String> numbers() {
        Worked w = worked();
        double[] gate = w.runs()[0].gatePre();
        int negative = 0;
        for (double a : gate) {
            negative += a < 0 ? 1 : 0;
        }
        double largest = 0;
        for (double v : w.sum()) {
            largest = Math.max(largest, Math.abs(v));
        }
        Map<String, String> n = new LinkedHashMap<>();
        n.put("expert_params", Fmt.grouped(3L * gate.length * w.recorded().length));
        n.put("layer", Integer.toString(LAYER));
        n.put("position", Integer.toString(w.position()));
        n.put("piece", Fmt.code(DemoRun.piece(DemoRun.tokens(DemoRun.SENTENCE)[w.position()])));
        n.put("a", Integer.toString(w.experts()[0]));
        n.put("b", Integer.toString(w.experts()[1]));
        n.put("w_a", Fmt.fixed(w.weights()[0], 4));
        n.put("w_b", Fmt.fixed(w.weights()[1], 4));
        n.put("negative", Integer.toString(negative));
        n.put("norm_a", Fmt.fixed(norm(w.runs()[0].out()), 4));
        n.put("norm_b", Fmt.fixed(norm(w.runs()[1].out()), 4));
        n.put("norm_sum", Fmt.fixed(norm(w.sum()), 4));
        n.put("first", Fmt.fixed(w.sum()[0], 6) + ", " + Fmt.fixed(w.sum()[1], 6) + ", " + Fmt.fixed(w.sum()[2], 6));
        n.put("first_recorded", Fmt.fixed(w.recorded()[0], 6) + ", " + Fmt.fixed(w.recorded()[1], 6) + ", "
                + Fmt.fixed(w.recorded()[2], 6));
        n.put("largest", Fmt.fixed(largest, 4));
        n.put("max_diff", Fmt.powerOfTenAbove(w.maxDiff()));
        return n;
    }

    @Override
    public void drawFigures(Path dir) throws IOException {
        Worked w = worked();
        int points = 81;
        double[] a = new double[points];
        double[] silu = new double[points];
        double[] relu = new double[points];
        for (int i = 0; i < points; i++) {
            a[i] = -4 + 8.0 * i / (points - 1);
            silu[i] = silu(a[i]);
            relu[i] = Math.max(0, a[i]);
        }
        double[] gate = w.runs()[0].gatePre();
        double[] gateSilu = new double[gate.length];
        for (int i = 0; i < gate.length; i++) {
            gateSilu[i] = silu(gate[i]);
        }
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("SiLU, and the " + gate.length + " gate units of expert " + w.experts()[0] + " for one token")
                .xAxisTitle("a = (w1 x)_i").yAxisTitle("silu(a)").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setXAxisMin(-4.0).setXAxisMax(4.0);
        XYSeries s = chart.addSeries("silu(a) = a * sigmoid(a)", a, silu);
        s.setMarker(SeriesMarkers.NONE);
        XYSeries r = chart.addSeries("relu(a), for comparison", a, relu);
        r.setMarker(SeriesMarkers.NONE);
        XYSeries g = chart.addSeries("this token's gate units", clip(gate), clip(gateSilu));
        g.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        g.setMarker(SeriesMarkers.CIRCLE);
        Charts.save(chart, dir.resolve("04-silu.png"));
    }

    /** Keeps the plot's range: values beyond +-4 are drawn at the edge. */
    private static double[] clip(double[] v) {
        double[] c = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            c[i] = Math.max(-4, Math.min(4, v[i]));
        }
        return c;
    }
}
