package mixtral.evidence;

import java.util.Arrays;

/**
 * Routing counts of one model over many token runs, per layer and group: how often each expert was among a token's
 * top-K (load) and its first choice, and the repeated consecutive assignments within each run.
 *
 * <p>Shape legend: L layers, G groups, E experts, K experts per token, T tokens of a run.
 */
public final class RoutingTally {
    private final int layers;
    private final int groups;
    private final int experts;
    private final long[][][] load;         // [L][G][E] top-K assignments
    private final long[][][] first;        // [L][G][E] first choices
    private final Repetition[][] repeats;  // [L][G]

    public RoutingTally(int layers, int groups, int experts) {
        this.layers = layers;
        this.groups = groups;
        this.experts = experts;
        load = new long[layers][groups][experts];
        first = new long[layers][groups][experts];
        repeats = new Repetition[layers][groups];
        for (Repetition[] row : repeats) {
            Arrays.fill(row, Repetition.NONE);
        }
    }

    /**
     * Counts one run of consecutive tokens of {@code group}: chosen experts [L][T][K], highest router logit first.
     * Pass only the tokens to count (leave BOS out): pairs are formed within the run only.
     */
    public void add(int group, long[][][] chosen) {
        if (chosen.length != layers) {
            throw new IllegalArgumentException("expected " + layers + " layers, got " + chosen.length);
        }
        for (int l = 0; l < layers; l++) {
            for (long[] token : chosen[l]) {
                first[l][group][(int) token[0]]++;
                for (long e : token) {
                    load[l][group][(int) e]++;
                }
            }
            repeats[l][group] = repeats[l][group].plus(Repetition.of(chosen[l]));
        }
    }

    public int layers() {
        return layers;
    }

    public int groups() {
        return groups;
    }

    public int experts() {
        return experts;
    }

    /** First-choice counts [G][E] of one layer, for {@link GroupInformation}. */
    public long[][] firstCounts(int layer) {
        return first[layer];
    }

    /** Tokens counted for a group (in layer 0; every layer sees the same tokens). */
    public long tokens(int group) {
        long n = 0;
        for (long c : first[0][group]) {
            n += c;
        }
        return n;
    }

    /** [L][G][E] share of the group's top-K assignments that went to each expert; rows sum to 1. */
    public double[][][] loadShares() {
        return shares(load);
    }

    /** [L][G][E] share of the group's first choices that went to each expert; rows sum to 1. */
    public double[][][] firstShares() {
        return shares(first);
    }

    /** Repetition of one layer and group. */
    public Repetition repetition(int layer, int group) {
        return repeats[layer][group];
    }

    /** Repetition of one layer over all groups' pairs pooled (as lesson 8's "all" row). */
    public Repetition repetition(int layer) {
        Repetition r = Repetition.NONE;
        for (Repetition x : repeats[layer]) {
            r = r.plus(x);
        }
        return r;
    }

    private static double[][][] shares(long[][][] counts) {
        double[][][] s = new double[counts.length][][];
        for (int l = 0; l < counts.length; l++) {
            s[l] = new double[counts[l].length][];
            for (int g = 0; g < counts[l].length; g++) {
                long n = 0;
                for (long c : counts[l][g]) {
                    n += c;
                }
                s[l][g] = new double[counts[l][g].length];
                for (int e = 0; e < s[l][g].length; e++) {
                    s[l][g][e] = n == 0 ? 0 : (double) counts[l][g][e] / n;
                }
            }
        }
        return s;
    }
}
