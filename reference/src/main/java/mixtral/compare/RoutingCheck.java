package mixtral.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mixtral.BadInputException;
import mixtral.compare.Report.Decision;
import mixtral.compare.Report.Flip;
import mixtral.compare.Report.LayerRouting;
import mixtral.model.Routing;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;

/** Routing decisions: B's expert sets against A's (flips), and against what the reference itself would choose. */
final class RoutingCheck {
    private RoutingCheck() {}

    /**
     * The tokens of a layer that B sent to another expert set than A, each with A's router margin. Sets are compared
     * as sets, so another K (a what-if of {@code --top-k}) changes every token's set, a superset of A's included; such
     * a change, like a set naming an expert twice, is never a tie.
     */
    static LayerRouting flips(Trace expected, Trace actual, int layer, Tolerances tol, List<Flip> flips) {
        long[][] e = experts(expected, layer);
        long[][] a = experts(actual, layer);
        if (e.length != a.length) {
            throw new BadInputException("layer " + layer + ": selected_experts shapes differ, " + shape(e) + " and "
                    + shape(a) + ": the traces cover different numbers of tokens");
        }
        float[][] logits = routerLogits(expected, actual, layer);
        int same = 0;
        int nested = 0;
        double smallest = Double.POSITIVE_INFINITY;
        for (int t = 0; t < e.length; t++) {
            double margin = logits == null ? Double.NaN : Margins.margin(logits[t], e[t].length);
            smallest = Math.min(smallest, margin);
            nested += nested(e[t], a[t]) ? 1 : 0;
            if (Margins.sameSet(e[t], a[t])) {
                same++;
            } else {
                boolean comparable = e[t].length == a[t].length && Arrays.stream(a[t]).distinct().count() == a[t].length;
                flips.add(new Flip(layer, t, e[t], a[t], margin, comparable && margin < tol.tieMargin()));
            }
        }
        return new LayerRouting(layer, e.length, same, e.length == 0 ? 1 : (double) same / e.length, smallest,
                width(e), width(a), nested);
    }

    /** Whether the smaller of two expert sets lies inside the larger. */
    private static boolean nested(long[] a, long[] b) {
        long[] small = a.length <= b.length ? a : b;
        long[] large = a.length <= b.length ? b : a;
        return Arrays.stream(small).allMatch(x -> Arrays.stream(large).anyMatch(y -> y == x));
    }

    private static int width(long[][] m) {
        return m.length == 0 ? 0 : m[0].length;
    }

    /**
     * B's decisions at a layer that the reference, run with B's routing up to here, would not make: a choice is
     * right when it has the reference's K experts and each is within the tie margin of the reference's K-th largest
     * router logit at that token.
     */
    static List<Decision> wrongDecisions(Trace reference, Trace actual, int layer, int k, Tolerances tol) {
        long[][] a = experts(actual, layer);
        float[][] logits = reference.get(TensorNames.routerLogits(layer)).toFloatMatrix();     // [T, E]
        List<Decision> wrong = new ArrayList<>();
        for (int t = 0; t < a.length; t++) {
            float[] row = logits[t];
            float[] sorted = row.clone();
            Arrays.sort(sorted);
            double kth = sorted[sorted.length - k];
            double weakest = Arrays.stream(a[t]).mapToDouble(x -> row[(int) x]).min().orElse(Double.NEGATIVE_INFINITY);
            boolean distinct = Arrays.stream(a[t]).distinct().count() == a[t].length;
            if (a[t].length != k || !distinct || kth - weakest > tol.tieMargin()) {
                wrong.add(new Decision(layer, t, a[t], topK(row, k), a[t].length != k || !distinct
                        ? Double.POSITIVE_INFINITY : kth - weakest));
            }
        }
        return wrong;
    }

    private static long[] topK(float[] row, int k) {
        return Arrays.stream(Routing.topK(row, k)).asLongStream().toArray();
    }

    static long[][] experts(Trace t, int layer) {
        return t.get(TensorNames.selectedExperts(layer)).toLongMatrix();                         // [T, K]
    }

    /** The expected trace's router logits if it has them, else the actual's: they give each flip's margin. */
    private static float[][] routerLogits(Trace expected, Trace actual, int layer) {
        String name = TensorNames.routerLogits(layer);
        Trace source = expected.has(name) ? expected : actual.has(name) ? actual : null;
        return source == null ? null : source.get(name).toFloatMatrix();
    }

    private static String shape(long[][] m) {
        return "[" + m.length + ", " + width(m) + "]";
    }
}
