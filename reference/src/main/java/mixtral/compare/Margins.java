package mixtral.compare;

import java.util.Arrays;

/** Small numeric helpers of the comparison, public so that the inspector and tutorials read margins the same way. */
public final class Margins {
    private Margins() {}

    /**
     * How decided the router was for one token: the K-th largest logit minus the (K+1)-th. Near 0 the choice of the
     * K-th expert is a near-tie that rounding can flip. Infinite when every expert is chosen.
     */
    public static double margin(float[] logits, int k) {
        if (k >= logits.length) {
            return Double.POSITIVE_INFINITY;
        }
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        return (double) sorted[sorted.length - k] - sorted[sorted.length - k - 1];
    }

    /** KL(p || q) of the softmaxes of two logit vectors, in nats. */
    public static double kl(double[] pLogits, double[] qLogits) {
        double[] p = logSoftmax(pLogits);
        double[] q = logSoftmax(qLogits);
        double kl = 0;
        for (int i = 0; i < p.length; i++) {
            kl += Math.exp(p[i]) * (p[i] - q[i]);
        }
        return Math.max(0, kl);
    }

    private static double[] logSoftmax(double[] x) {
        double max = Arrays.stream(x).max().orElse(0);
        double sum = 0;
        for (double v : x) {
            sum += Math.exp(v - max);
        }
        double log = max + Math.log(sum);
        return Arrays.stream(x).map(v -> v - log).toArray();
    }
}
