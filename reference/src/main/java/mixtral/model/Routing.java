package mixtral.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The router's decision for T tokens: which K of the E experts each token goes to, and with what weight.
 *
 * @param logits  [T, E] router logits
 * @param experts [T][K] chosen experts, highest logit first
 * @param weights [T][K] softmax over the chosen experts' logits, in the same order; each row sums to 1
 */
public record Routing(INDArray logits, int[][] experts, float[][] weights) {

    /**
     * Routes by the raw logits [T, E]: top-k, then softmax over the k chosen. This equals what Hugging Face computes
     * (softmax over all E, top-k, renormalise) because the softmax's denominator cancels.
     */
    public static Routing fromLogits(INDArray logits, int k) {
        int e = (int) logits.columns();
        float[] all = logits.dup('c').data().asFloat();      // one copy; toFloatMatrix() makes a view per row
        int[][] experts = new int[(int) logits.rows()][];
        float[][] weights = new float[experts.length][];
        for (int t = 0; t < experts.length; t++) {
            float[] row = Arrays.copyOfRange(all, t * e, (t + 1) * e);
            experts[t] = topK(row, k);
            weights[t] = softmaxOf(row, experts[t]);
        }
        return new Routing(logits, experts, weights);
    }

    /** Indices of the k largest values, largest first; ties go to the lower index. */
    public static int[] topK(float[] v, int k) {
        return java.util.stream.IntStream.range(0, v.length).boxed()
                .sorted((a, b) -> v[a] != v[b] ? Float.compare(v[b], v[a]) : Integer.compare(a, b))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    /** The chosen experts ordered by their logit, highest first (ties to the lower index), as the trace lists them. */
    static int[] byLogit(float[] logits, int[] chosen) {
        return Arrays.stream(chosen).boxed()
                .sorted((a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b))
                .mapToInt(Integer::intValue).toArray();
    }

    /** The published weights: softmax over the chosen experts' logits. */
    static float[] softmaxOf(float[] logits, int[] chosen) {
        double max = Arrays.stream(chosen).mapToDouble(i -> logits[i]).max().orElseThrow();
        double[] e = Arrays.stream(chosen).mapToDouble(i -> Math.exp(logits[i] - max)).toArray();
        double sum = Arrays.stream(e).sum();
        float[] w = new float[chosen.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (e[i] / sum);
        }
        return w;
    }

    /** [T, E] softmax over all experts: how sure the router was, for display and the trace. */
    public INDArray probs() {
        return Ops.softmaxRows(logits);
    }

    /** [T, K] I64 */
    public INDArray expertsArray() {
        long[][] a = new long[experts.length][];
        for (int t = 0; t < a.length; t++) {
            a[t] = Arrays.stream(experts[t]).asLongStream().toArray();
        }
        return Nd4j.createFromArray(a);
    }

    /** [T, K] */
    public INDArray weightsArray() {
        return Nd4j.createFromArray(weights);
    }

    /** chosen[e]: whether some token goes to expert e, of {@code numExperts}. */
    boolean[] chosen(int numExperts) {
        boolean[] chosen = new boolean[numExperts];
        for (int[] tokenExperts : experts) {
            for (int e : tokenExperts) {
                chosen[e] = true;
            }
        }
        return chosen;
    }

    /** The tokens routed to {@code expert}, in order, and the weight each gives that expert's output. */
    Batch tokensOf(int expert) {
        int n = 0;
        int[] tokens = new int[experts.length];
        float[] w = new float[experts.length];
        for (int t = 0; t < experts.length; t++) {
            for (int j = 0; j < experts[t].length; j++) {
                if (experts[t][j] == expert) {
                    tokens[n] = t;
                    w[n++] = weights[t][j];
                }
            }
        }
        return new Batch(Arrays.copyOf(tokens, n), Arrays.copyOf(w, n));
    }

    /** Tokens gathered for one expert: rows {@code tokens} of the input, scaled by {@code weights} afterwards. */
    record Batch(int[] tokens, float[] weights) {
        boolean isEmpty() {
            return tokens.length == 0;
        }
    }
}
