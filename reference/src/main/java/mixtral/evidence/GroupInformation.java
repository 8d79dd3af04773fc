package mixtral.evidence;

/**
 * How much a token's first-choice expert tells about its group (language or code), from first-choice counts or
 * shares [G][E]: row g says how often group g's tokens had expert e as first choice. Each group is given weight 1/G
 * whatever its token count (rows are normalised), so p(g) = 1/G, p(e, g) = p(e|g) / G and H(group) = log2 G
 * (2.585 bits for 6 groups).
 *
 * <p>Both measures are computed on the same tokens they describe, so on finite data they read a little high: the
 * mutual information of an expert and a group that are truly independent comes out on average about
 * (E-1)(G-1) / (2 N ln 2) bits over N tokens ({@link #finiteSampleBiasBits}), and the classifier is scored on the
 * tokens it was fitted on.
 */
public final class GroupInformation {
    private GroupInformation() {}

    /** p(e|g) [G][E]: each row divided by its sum. A row without tokens is an error. */
    static double[][] conditional(double[][] counts) {
        double[][] p = new double[counts.length][];
        for (int g = 0; g < counts.length; g++) {
            double n = 0;
            for (double c : counts[g]) {
                if (c < 0) {
                    throw new IllegalArgumentException("negative count in group " + g);
                }
                n += c;
            }
            if (n == 0) {
                throw new IllegalArgumentException("group " + g + " has no tokens");
            }
            p[g] = new double[counts[g].length];
            for (int e = 0; e < p[g].length; e++) {
                p[g][e] = counts[g][e] / n;
            }
        }
        return p;
    }

    /** I(expert; group) in bits: sum over e, g of p(e, g) log2(p(e, g) / (p(e) p(g))). 0 if independent, at most log2 G. */
    public static double mutualInformationBits(double[][] counts) {
        double sum = 0;
        for (double d : divergenceBits(counts)) {
            sum += d;
        }
        return sum / counts.length;
    }

    /**
     * Per group, KL(p(e|g) || p(e)) in bits: how far the group's first choices are from the mix of all groups. Their
     * mean is the mutual information, so this says which groups carry it.
     */
    public static double[] divergenceBits(double[][] counts) {
        double[][] p = conditional(counts);
        double[] mix = new double[p[0].length];                          // p(e)
        for (double[] row : p) {
            for (int e = 0; e < row.length; e++) {
                mix[e] += row[e] / p.length;
            }
        }
        double[] kl = new double[p.length];
        for (int g = 0; g < p.length; g++) {
            for (int e = 0; e < mix.length; e++) {
                if (p[g][e] > 0) {
                    kl[g] += p[g][e] * Math.log(p[g][e] / mix[e]) / Math.log(2);
                }
            }
        }
        return kl;
    }

    /**
     * Accuracy of guessing a token's group from its first-choice expert alone, each expert voting for the group with
     * the highest p(e|g): sum over e of max over g of p(e, g). Chance (no information) is 1/G; 1 is perfect.
     */
    public static double classifierAccuracy(double[][] counts) {
        double[][] p = conditional(counts);
        double accuracy = 0;
        for (int e = 0; e < p[0].length; e++) {
            double best = 0;
            for (double[] row : p) {
                best = Math.max(best, row[e]);
            }
            accuracy += best / p.length;
        }
        return accuracy;
    }

    /** Expected mutual information, in bits, of an expert and a group that are independent, measured on n tokens. */
    public static double finiteSampleBiasBits(int experts, int groups, long n) {
        return (experts - 1.0) * (groups - 1.0) / (2.0 * n * Math.log(2));
    }
}
