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

    /** The same for float32 logits, as a trace stores them (each widened exactly to double). */
    public static double kl(float[] pLogits, float[] qLogits) {
        return kl(widen(pLogits), widen(qLogits));
    }

    /** log softmax of float32 logits, in double. */
    public static double[] logSoftmax(float[] logits) {
        return logSoftmax(widen(logits));
    }

    /** Whether two expert choices are the same set, whatever their order. */
    public static boolean sameSet(long[] a, long[] b) {
        long[] x = a.clone();
        long[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        return Arrays.equals(x, y);
    }

    private static double[] widen(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
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
