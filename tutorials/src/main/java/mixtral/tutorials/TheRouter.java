package mixtral.tutorials;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mixtral.compare.Margins;
import mixtral.model.Routing;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Lesson 2: the router of one layer, on one real token of the demo model. Its logits [E] become two experts and two
 * weights; this class does it the reference's way (top-2, then softmax over the two) and Hugging Face's way (softmax
 * over all E, top-2, renormalise) and shows they agree.
 *
 * <p>Shape legend: T tokens, E experts, K experts per token.
 */
public final class TheRouter implements Lesson {
    static final int LAYER = 0;
    static final String PIECE = "\u2581two";

    /** The router's decision for one token, computed both ways. */
    record Worked(int position, float[] logits, double[] probs, int[] experts, float[] weights,
                  double[] renormalised, float[] traced, double margin) {}

    /** The token of the lesson: the first {@link #PIECE} of the sentence, at layer {@link #LAYER}. */
    static Worked worked(Trace trace) {
        long[] tokens = trace.get(TensorNames.TOKENS).toLongVector();
        int position = -1;
        for (int t = 0; t < tokens.length && position < 0; t++) {
            if (DemoRun.piece(tokens[t]).equals(PIECE)) {
                position = t;
            }
        }
        if (position < 0) {
            throw new IllegalStateException("the demo tokenizer no longer has '" + PIECE + "' as one piece");
        }
        return worked(trace, LAYER, position);
    }

    static Worked worked(Trace trace, int layer, int t) {
        float[] logits = trace.get(TensorNames.routerLogits(layer)).getRow(t).toFloatVector();   // [E]
        int k = (int) trace.get(TensorNames.selectedExperts(layer)).size(1);

        // The reference's way: top-k of the logits, then softmax over those k (Routing.fromLogits).
        Routing r = Routing.fromLogits(Nd4j.createFromArray(new float[][] {logits}), k);
        int[] experts = r.experts()[0];
        float[] weights = r.weights()[0];

        // Hugging Face's way, by hand: softmax over all E, top-k of the probabilities, renormalise them to sum to 1.
        double[] probs = softmax(logits);
        double kept = 0;
        for (int e : experts) {
            kept += probs[e];    // softmax is increasing, so the top-k probabilities are the top-k logits
        }
        double[] renormalised = new double[k];
        for (int j = 0; j < k; j++) {
            renormalised[j] = probs[experts[j]] / kept;
        }
        float[] traced = trace.get(TensorNames.routingWeights(layer)).getRow(t).toFloatVector();   // [K]
        return new Worked(t, logits, probs, experts, weights, renormalised, traced, Margins.margin(logits, k));
    }

    static double[] softmax(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double[] p = new double[x.length];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            p[i] = Math.exp(x[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < x.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Largest |reference weight - Hugging Face weight| over every token and layer of a trace. */
    static double largestDisagreement(Trace trace) {
        int layers = trace.config().numHiddenLayers();
        int tokens = (int) trace.get(TensorNames.TOKENS).length();
        double worst = 0;
        for (int l = 0; l < layers; l++) {
            for (int t = 0; t < tokens; t++) {
                Worked w = worked(trace, l, t);
                for (int j = 0; j < w.weights().length; j++) {
                    worst = Math.max(worst, Math.abs(w.weights()[j] - w.renormalised()[j]));
                }
            }
        }
        return worst;
    }

    @Override
    public String markdown() {
        return "02-the-router.md";
    }

    @Override
    public Map<String, String> numbers() {
        Trace trace = DemoRun.trace(DemoRun.SENTENCE, false);
        Worked w = worked(trace);
        int a = w.experts()[0];
        int b = w.experts()[1];
        Map<String, String> n = new LinkedHashMap<>();
        n.put("sentence", DemoRun.SENTENCE);
        n.put("tokens", Integer.toString((int) trace.get(TensorNames.TOKENS).length()));
        n.put("position", Integer.toString(w.position()));
        n.put("layer", Integer.toString(LAYER));
        n.put("table", table(w));
        n.put("a", Integer.toString(a));
        n.put("b", Integer.toString(b));
        n.put("logit_a", Fmt.fixed(w.logits()[a], 4));
        n.put("logit_b", Fmt.fixed(w.logits()[b], 4));
        n.put("p_a", Fmt.fixed(w.probs()[a], 4));
        n.put("p_b", Fmt.fixed(w.probs()[b], 4));
        n.put("kept", Fmt.fixed(w.probs()[a] + w.probs()[b], 4));
        n.put("w_a", Fmt.fixed(w.weights()[0], 4));
        n.put("w_b", Fmt.fixed(w.weights()[1], 4));
        n.put("hf_a", Fmt.fixed(w.renormalised()[0], 4));
        n.put("hf_b", Fmt.fixed(w.renormalised()[1], 4));
        int c = thirdChoice(w);
        n.put("c", Integer.toString(c));
        n.put("logit_c", Fmt.fixed(w.logits()[c], 4));
        n.put("margin", Fmt.fixed(w.margin(), 4));
        n.put("disagreement", Fmt.powerOfTenAbove(largestDisagreement(trace)));
        n.put("checked", Integer.toString(trace.config().numHiddenLayers() * (int) trace.get(TensorNames.TOKENS).length()));
        return n;
    }

    /** Each expert's logit and softmax probability, the chosen ones in bold. */
    static String table(Worked w) {
        StringBuilder s = new StringBuilder("| expert | logit | softmax over all " + w.logits().length
                + " | chosen |\n|---:|---:|---:|:---:|\n");
        for (int e = 0; e < w.logits().length; e++) {
            int rank = indexOf(w.experts(), e);
            String b = rank >= 0 ? "**" : "";
            s.append("| ").append(b).append(e).append(b).append(" | ").append(b).append(Fmt.fixed(w.logits()[e], 4))
                    .append(b).append(" | ").append(Fmt.fixed(w.probs()[e], 4)).append(" | ")
                    .append(rank < 0 ? "" : rank == 0 ? "1st" : "2nd").append(" |\n");
        }
        return s.toString().strip();
    }

    /** The best expert not chosen: the one a near-tie would have brought in. */
    static int thirdChoice(Worked w) {
        int best = -1;
        for (int e = 0; e < w.logits().length; e++) {
            if (indexOf(w.experts(), e) < 0 && (best < 0 || w.logits()[e] > w.logits()[best])) {
                best = e;
            }
        }
        return best;
    }

    private static int indexOf(int[] v, int x) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] == x) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void drawFigures(Path dir) throws IOException {
        Worked w = worked(DemoRun.trace(DemoRun.SENTENCE, false));
        List<String> experts = new ArrayList<>();
        List<Number> chosen = new ArrayList<>();
        List<Number> other = new ArrayList<>();
        List<Number> probs = new ArrayList<>();
        List<Number> weights = new ArrayList<>();
        for (int e = 0; e < w.logits().length; e++) {
            int rank = indexOf(w.experts(), e);
            experts.add(Integer.toString(e));
            chosen.add(rank >= 0 ? w.logits()[e] : 0);
            other.add(rank >= 0 ? 0 : w.logits()[e]);
            probs.add(w.probs()[e]);
            weights.add(rank >= 0 ? w.weights()[rank] : 0);
        }
        CategoryChart logits = new CategoryChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Router logits of '" + PIECE.replace('\u2581', ' ').strip() + "' at layer " + LAYER
                        + " (demo model)")
                .xAxisTitle("expert").yAxisTitle("logit").build();
        Charts.style(logits.getStyler());
        logits.getStyler().setOverlapped(true);
        logits.addSeries("chosen (top-" + w.experts().length + ")", experts, chosen);
        logits.addSeries("not chosen", experts, other);
        Charts.save(logits, dir.resolve("02-router-logits.png"));

        CategoryChart mix = new CategoryChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Softmax over all " + w.logits().length + ", and the routing weights after top-" + w.experts().length)
                .xAxisTitle("expert").yAxisTitle("probability / weight").build();
        Charts.style(mix.getStyler());
        mix.addSeries("softmax over all " + w.logits().length + " experts", experts, probs);
        mix.addSeries("routing weight (top-" + w.experts().length + ", renormalised)", experts, weights);
        Charts.save(mix, dir.resolve("02-router-weights.png"));
    }
}
