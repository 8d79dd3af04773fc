package mixtral.model;

import java.util.function.IntToDoubleFunction;

/**
 * The index of the largest entry, the lowest index on ties: greedy decoding's next token, a comparison's top-1, a
 * table's best row. One definition, so that every program breaks ties the same way and agrees on "the top token".
 */
public final class Argmax {
    private Argmax() {}

    public static int of(float[] v) {
        return of(v.length, i -> v[i]);
    }

    public static int of(double[] v) {
        return of(v.length, i -> v[i]);
    }

    /** The argmax of entries 0..n-1; widening a float to a double keeps its order, so both arrays share this loop. */
    private static int of(int n, IntToDoubleFunction entry) {
        if (n == 0) {
            throw new IllegalArgumentException("argmax of an empty array");
        }
        int best = 0;
        double max = entry.applyAsDouble(0);
        for (int i = 1; i < n; i++) {
            double x = entry.applyAsDouble(i);
            if (x > max) {
                best = i;
                max = x;
            }
        }
        return best;
    }
}
