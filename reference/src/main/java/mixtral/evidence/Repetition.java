package mixtral.evidence;

import java.util.Arrays;

/**
 * The Mixtral paper's "repeated consecutive assignments" (arXiv:2401.04088, section 5): over the pairs of consecutive
 * tokens (t-1, t) of one layer, how often token t has the same first-choice expert as t-1 ({@link #first}), and how
 * often the two tokens' top-K sets share at least one expert ({@link #either}: t reuses either of t-1's experts).
 * The definitions of lesson 8 (tutorials' RoutingStatistics), made public here so the evidence and the lesson agree.
 *
 * @param pairs     consecutive token pairs counted
 * @param sameFirst pairs whose first choices are equal
 * @param shareOne  pairs whose top-K sets intersect
 */
public record Repetition(long pairs, long sameFirst, long shareOne) {
    public static final Repetition NONE = new Repetition(0, 0, 0);

    /** Share of pairs with the same first-choice expert. */
    public double first() {
        return (double) sameFirst / pairs;
    }

    /** Share of pairs whose top-K sets share at least one expert. */
    public double either() {
        return (double) shareOne / pairs;
    }

    /** The counts of two runs together (pairs are not formed across them). */
    public Repetition plus(Repetition o) {
        return new Repetition(pairs + o.pairs, sameFirst + o.sameFirst, shareOne + o.shareOne);
    }

    /** experts [T][K] of one layer, highest router logit first -> the counts over its T-1 consecutive pairs. */
    public static Repetition of(long[][] experts) {
        long same = 0;
        long share = 0;
        for (int t = 1; t < experts.length; t++) {
            same += experts[t][0] == experts[t - 1][0] ? 1 : 0;
            share += intersects(experts[t], experts[t - 1]) ? 1 : 0;
        }
        return new Repetition(Math.max(0, experts.length - 1), same, share);
    }

    private static boolean intersects(long[] a, long[] b) {
        for (long x : a) {
            for (long y : b) {
                if (x == y) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Chance of the same first choice if every token drew its experts uniformly at random: 1/E. */
    public static double randomFirst(int e) {
        return 1.0 / e;
    }

    /** Chance that two uniformly random top-K sets of E experts intersect: 1 - C(E-K, K)/C(E, K). */
    public static double randomShareOne(int e, int k) {
        double disjoint = 1;
        for (int i = 0; i < k; i++) {
            disjoint *= (double) (e - k - i) / (e - i);   // the second token's i-th pick avoids the first's K
        }
        return 1 - disjoint;
    }

    /**
     * Chance of the same first choice for two tokens drawn independently with first-choice load q [E] (shares summing
     * to 1): the sum of q_e squared. It is 1/E only when the load is even; any imbalance raises it.
     */
    public static double sameFirstGivenLoad(double[] firstLoad) {
        return Arrays.stream(firstLoad).map(q -> q * q).sum();
    }
}
