package mixtral.tutorials;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mixtral.config.MixtralConfig;
import mixtral.demo.DemoModel;
import mixtral.model.Generator;
import mixtral.trace.Recorder;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.weights.Checkpoint;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Lesson 6: attention in brief. One head's attention of one token is recomputed by hand (projections, RoPE, the
 * grouped-query head mapping, causal softmax) and compared with the probabilities the model recorded; the KV cache is
 * sized for Mixtral 8x7B; and generation with the cache is checked against recomputing the whole sequence.
 *
 * <p>Shape legend: T tokens, D hidden, H heads, KV kv heads, Hd head dim.
 */
public final class AttentionAndCache implements Lesson {
    static final int LAYER = 0;
    static final int HEAD = 2;
    static final String PROMPT = "The cat sat on the";
    static final int NEW_TOKENS = 8;

    /** Rotates one head's vector x [Hd] to position pos, rotate-half layout: dimension i pairs with i + Hd/2. */
    static double[] rope(double[] x, int pos, double theta) {
        int half = x.length / 2;
        double[] out = new double[x.length];
        for (int i = 0; i < half; i++) {
            double angle = pos * Math.pow(theta, -2.0 * i / x.length);
            double c = Math.cos(angle);
            double s = Math.sin(angle);
            out[i] = x[i] * c - x[i + half] * s;
            out[i + half] = x[i + half] * c + x[i] * s;
        }
        return out;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Rows [from, from + n) of w [out, D] times x [D]. */
    private static double[] project(float[][] w, int from, int n, float[] x) {
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < x.length; j++) {
                y[i] += w[from + i][j] * x[j];
            }
        }
        return y;
    }

    /** One query's attention over the tokens up to it, by hand, beside the recorded row. */
    record ByHand(int query, int kvHead, double[] probs, float[] recorded, double maxDiff) {}

    static ByHand byHand(Trace trace, int head, int t) {
        MixtralConfig c = trace.config();
        int hd = c.headDim();
        int kvHead = head / c.queriesPerKvHead();   // grouped-query attention: H / KV query heads share a kv head
        float[][] x = trace.get(TensorNames.attnNorm(LAYER)).toFloatMatrix();   // [T, D]
        float[][] wq;
        float[][] wk;
        try (Checkpoint cp = Checkpoint.open(DemoModel.folder())) {
            wq = cp.wq(LAYER).toFloatMatrix();   // [H*Hd, D]
            wk = cp.wk(LAYER).toFloatMatrix();   // [KV*Hd, D]
        }
        double[] q = rope(project(wq, head * hd, hd, x[t]), t, c.ropeTheta());   // [Hd]
        double[] scores = new double[t + 1];                                       // causal: keys 0..t only
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= t; j++) {
            double[] k = rope(project(wk, kvHead * hd, hd, x[j]), j, c.ropeTheta());
            scores[j] = dot(q, k) / Math.sqrt(hd);
            max = Math.max(max, scores[j]);
        }
        double sum = 0;
        for (int j = 0; j <= t; j++) {
            scores[j] = Math.exp(scores[j] - max);
            sum += scores[j];
        }
        INDArray probs = trace.get(TensorNames.attnProbs(LAYER));   // [H, T, T]
        float[] recorded = new float[t + 1];
        double maxDiff = 0;
        for (int j = 0; j <= t; j++) {
            scores[j] /= sum;
            recorded[j] = probs.getFloat(head, t, j);
            maxDiff = Math.max(maxDiff, Math.abs(scores[j] - recorded[j]));
        }
        double beyond = 0;
        for (int j = t + 1; j < probs.size(2); j++) {
            beyond = Math.max(beyond, probs.getFloat(head, t, j));
        }
        return new ByHand(t, kvHead, scores, recorded, Math.max(maxDiff, beyond));
    }

    /** Greedy generation with the KV cache, and the same tokens found by rerunning the whole sequence each time. */
    record Generated(long[] prompt, long[] withCache, long[] recomputed) {}

    static Generated generate() {
        long[] prompt = DemoRun.tokens(PROMPT);
        long[] withCache = Generator.generate(DemoRun.model(), prompt, Generator.Settings.greedy(NEW_TOKENS));
        long[] seq = Arrays.copyOf(prompt, prompt.length + NEW_TOKENS);
        long[] recomputed = new long[NEW_TOKENS];
        for (int i = 0; i < NEW_TOKENS; i++) {
            long[] sofar = Arrays.copyOf(seq, prompt.length + i);
            INDArray logits = DemoRun.model().forward(sofar, Recorder.NONE);   // no cache: everything again
            recomputed[i] = logits.getRow(sofar.length - 1).argMax().getLong(0);
            seq[prompt.length + i] = recomputed[i];
        }
        return new Generated(prompt, withCache, recomputed);
    }

    @Override
    public String markdown() {
        return "06-attention.md";
    }

    @Override
    public Map<String, String> numbers() {
        Trace trace = DemoRun.trace(DemoRun.SENTENCE, true);
        MixtralConfig demo = trace.config();
        int t = (int) trace.get(TensorNames.TOKENS).length() - 1;
        ByHand h = byHand(trace, HEAD, t);
        long[] tokens = trace.get(TensorNames.TOKENS).toLongVector();
        Map<String, String> n = new LinkedHashMap<>();
        n.put("theta", Fmt.grouped((long) demo.ropeTheta()));
        n.put("layer", Integer.toString(LAYER));
        n.put("head", Integer.toString(HEAD));
        n.put("kv_head", Integer.toString(h.kvHead()));
        n.put("query", Integer.toString(t));
        n.put("query_piece", Fmt.code(DemoRun.piece(tokens[t])));
        n.put("attn_table", attnTable(h, tokens));
        n.put("attn_diff", Fmt.powerOfTenAbove(h.maxDiff()));

        double[] q = {0.3, -1.2, 0.8, 0.5, -0.7, 0.1, 1.1, -0.4};
        double[] k = {-0.6, 0.9, 0.2, -1.0, 0.4, 0.7, -0.3, 1.3};
        n.put("norm_before", Fmt.fixed(Math.sqrt(dot(q, q)), 6));
        n.put("norm_after", Fmt.fixed(Math.sqrt(dot(rope(q, 37, 10000), rope(q, 37, 10000))), 6));
        n.put("dot_5_2", Fmt.fixed(dot(rope(q, 5, 10000), rope(k, 2, 10000)), 6));
        n.put("dot_105_102", Fmt.fixed(dot(rope(q, 105, 10000), rope(k, 102, 10000)), 6));
        n.put("dot_5_4", Fmt.fixed(dot(rope(q, 5, 10000), rope(k, 4, 10000)), 6));

        MixtralConfig big = SparseMoeInOnePage.mixtral8x7b();
        long perToken = kvBytesPerToken(big, big.numKeyValueHeads());
        long withoutGqa = kvBytesPerToken(big, big.numAttentionHeads());
        n.put("big_h", Integer.toString(big.numAttentionHeads()));
        n.put("big_kv", Integer.toString(big.numKeyValueHeads()));
        n.put("big_hd", Integer.toString(big.headDim()));
        n.put("kv_per_token", Fmt.grouped(perToken / 1024) + " KiB");
        n.put("kv_per_token_mha", Fmt.grouped(withoutGqa / 1024) + " KiB");
        n.put("max_context", Fmt.grouped(big.maxPositionEmbeddings()));
        n.put("kv_full", Fmt.fixed(perToken * (double) big.maxPositionEmbeddings() / (1L << 30), 1) + " GiB");
        n.put("kv_full_mha", Fmt.fixed(withoutGqa * (double) big.maxPositionEmbeddings() / (1L << 30), 1) + " GiB");

        Generated g = generate();
        n.put("prompt", PROMPT);
        n.put("new_tokens", Integer.toString(NEW_TOKENS));
        n.put("generated", DemoRun.tokenizer().decode(toInt(g.withCache())));
        n.put("same", Arrays.equals(g.withCache(), g.recomputed()) ? "the same" : "NOT the same");
        return n;
    }

    /** Keys and values, bf16 (2 bytes), every layer, for one token: 2 * L * kvHeads * Hd * 2. */
    static long kvBytesPerToken(MixtralConfig c, int kvHeads) {
        return 2L * c.numHiddenLayers() * kvHeads * c.headDim() * 2;
    }

    private static int[] toInt(long[] v) {
        return Arrays.stream(v).mapToInt(x -> (int) x).toArray();
    }

    private static String attnTable(ByHand h, long[] tokens) {
        StringBuilder s = new StringBuilder("| key position | token | by hand | recorded |\n|---:|:---|---:|---:|\n");
        for (int j = 0; j < h.probs().length; j++) {
            s.append("| ").append(j).append(" | `").append(DemoRun.piece(tokens[j])).append("` | ")
                    .append(Fmt.fixed(h.probs()[j], 4)).append(" | ").append(Fmt.fixed(h.recorded()[j], 4)).append(" |\n");
        }
        return s.toString().strip();
    }

    @Override
    public void drawFigures(Path dir) throws IOException {
        Trace trace = DemoRun.trace(DemoRun.SENTENCE, true);
        long[] tokens = trace.get(TensorNames.TOKENS).toLongVector();
        INDArray probs = trace.get(TensorNames.attnProbs(LAYER));   // [H, T, T]
        int t = tokens.length;
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            labels.add(i + " " + DemoRun.piece(tokens[i]).replace('\u2581', '_'));
        }
        HeatMapChart heat = new HeatMapChartBuilder().width(Charts.WIDTH).height(600)
                .title("Attention probabilities, layer " + LAYER + ", head " + HEAD + " (demo model)")
                .xAxisTitle("key (attended to)").yAxisTitle("query").build();
        Charts.style(heat.getStyler());
        heat.getStyler().setRangeColors(new Color[] {Color.WHITE, Charts.PALETTE[0]});
        heat.getStyler().setMin(0).setMax(1);
        heat.getStyler().setXAxisLabelRotation(60);
        List<Number[]> cells = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
                cells.add(new Number[] {j, t - 1 - i, probs.getDouble(HEAD, i, j)});
            }
        }
        List<String> rows = new ArrayList<>(labels);
        Collections.reverse(rows);
        heat.addSeries("probability", labels, rows, cells);
        Charts.save(heat, dir.resolve("06-attention.png"));

        MixtralConfig big = SparseMoeInOnePage.mixtral8x7b();
        int hd = big.headDim();
        double[] ones = new double[hd];
        Arrays.fill(ones, 1);
        int n = 2001;
        double[] d = new double[n];
        double[] score = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = i;
            score[i] = dot(rope(ones, i, big.ropeTheta()), ones) / hd;
        }
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("RoPE: q . k for q = k = (1, ..., 1) as their distance grows")
                .xAxisTitle("distance between query and key positions").yAxisTitle("q . k / Hd").build();
        Charts.style(chart.getStyler());
        chart.addSeries("Mixtral 8x7B: Hd = " + hd + ", theta = " + Fmt.grouped((long) big.ropeTheta()), d, score)
                .setMarker(SeriesMarkers.NONE);
        Charts.save(chart, dir.resolve("06-rope.png"));
    }
}
