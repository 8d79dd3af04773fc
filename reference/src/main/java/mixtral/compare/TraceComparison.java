package mixtral.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import mixtral.BadInputException;
import mixtral.compare.Report.Divergence;
import mixtral.compare.Report.Flip;
import mixtral.compare.Report.LayerRouting;
import mixtral.compare.Report.LogitsDiff;
import mixtral.compare.Report.TensorDiff;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Holds one trace (actual: another engine's, or ours) to another (expected: the reference), tensor by tensor in
 * forward order, routing decision by routing decision. Only tensors both traces hold are compared, so an engine may
 * record a subset of the trace format.
 */
public final class TraceComparison {
    private TraceComparison() {}

    public static Report compare(Trace expected, Trace actual, Tolerances tol) {
        checkSameTokens(expected, actual);
        TreeSet<String> names = new TreeSet<>(TensorNames.FORWARD_ORDER);
        names.addAll(expected.tensors().keySet());
        names.addAll(actual.tensors().keySet());

        List<LayerRouting> routing = new ArrayList<>();
        List<Flip> flips = new ArrayList<>();
        for (String name : names) {
            if (TensorNames.leafOf(name).equals("moe.selected_experts") && expected.has(name) && actual.has(name)) {
                routing.add(compareRouting(expected, actual, TensorNames.layerOf(name), tol, flips));
            }
        }
        String firstTie = flips.stream().filter(Flip::tie).map(f -> TensorNames.moeOut(f.layer()))
                .min(TensorNames.FORWARD_ORDER).orElse(null);

        List<TensorDiff> tensors = new ArrayList<>();
        List<String> onlyInOne = new ArrayList<>();
        for (String name : names) {
            if (!expected.has(name) || !actual.has(name)) {
                onlyInOne.add(name + (expected.has(name) ? " (expected only)" : " (actual only)"));
            } else if (!TensorNames.isInteger(name)) {
                boolean afterTie = firstTie != null && TensorNames.FORWARD_ORDER.compare(name, firstTie) >= 0;
                tensors.add(compareTensor(name, expected, actual, tol, afterTie));
            }
        }
        LogitsDiff logits = expected.has(TensorNames.LOGITS) && actual.has(TensorNames.LOGITS)
                && Arrays.equals(expected.get(TensorNames.LOGITS).shape(), actual.get(TensorNames.LOGITS).shape())
                ? compareLogits(expected.get(TensorNames.LOGITS), actual.get(TensorNames.LOGITS)) : null;

        Divergence first = firstDivergence(expected, actual, tensors, flips, tol);
        return new Report(tol, tensors, routing, flips, logits, onlyInOne, first, first == null);
    }

    private static void checkSameTokens(Trace expected, Trace actual) {
        if (expected.has(TensorNames.TOKENS) && actual.has(TensorNames.TOKENS)) {
            long[] a = expected.get(TensorNames.TOKENS).toLongVector();
            long[] b = actual.get(TensorNames.TOKENS).toLongVector();
            if (!Arrays.equals(a, b)) {
                throw new BadInputException("the traces are of different token sequences (" + a.length + " and "
                        + b.length + " tokens" + (a.length == b.length ? ", different ids" : "") + "): nothing to compare");
            }
        }
    }

    private static LayerRouting compareRouting(Trace expected, Trace actual, int layer, Tolerances tol, List<Flip> flips) {
        long[][] e = expected.get(TensorNames.selectedExperts(layer)).toLongMatrix();
        long[][] a = actual.get(TensorNames.selectedExperts(layer)).toLongMatrix();
        if (e.length != a.length || e[0].length != a[0].length) {
            throw new BadInputException("layer " + layer + ": selected_experts shapes differ, ["
                    + e.length + ", " + e[0].length + "] and [" + a.length + ", " + a[0].length + "]");
        }
        float[][] logits = routerLogits(expected, actual, layer);
        int same = 0;
        double smallest = Double.POSITIVE_INFINITY;
        for (int t = 0; t < e.length; t++) {
            double margin = logits == null ? Double.NaN : Margins.margin(logits[t], e[t].length);
            smallest = Math.min(smallest, margin);
            if (sameSet(e[t], a[t])) {
                same++;
            } else {
                flips.add(new Flip(layer, t, e[t], a[t], margin, margin < tol.tieMargin()));
            }
        }
        return new LayerRouting(layer, e.length, same, (double) same / e.length, smallest);
    }

    /** The expected trace's router logits if it has them, else the actual's: they give each flip's margin. */
    private static float[][] routerLogits(Trace expected, Trace actual, int layer) {
        String name = TensorNames.routerLogits(layer);
        Trace source = expected.has(name) ? expected : actual.has(name) ? actual : null;
        return source == null ? null : source.get(name).toFloatMatrix();
    }

    static boolean sameSet(long[] a, long[] b) {
        long[] x = a.clone();
        long[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        return Arrays.equals(x, y);
    }

    private static TensorDiff compareTensor(String name, Trace expected, Trace actual, Tolerances tol, boolean afterTie) {
        INDArray ea = expected.get(name);
        INDArray aa = actual.get(name);
        if (!Arrays.equals(ea.shape(), aa.shape())) {
            return new TensorDiff(name, aa.shape(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1, false, afterTie);
        }
        double[] e = ea.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] a = aa.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        if (TensorNames.leafOf(name).equals("moe.routing_weights")) {
            alignByExpert(expected, actual, TensorNames.layerOf(name), e, a);
        }
        double maxAbs = 0;
        double maxRel = 0;
        double maxExpected = 0;
        double dot = 0;
        double ne = 0;
        double na = 0;
        int worst = -1;
        boolean within = true;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs(a[i] - e[i]);
            if (d > maxAbs || Double.isNaN(d)) {
                maxAbs = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                worst = i;
            }
            maxRel = Math.max(maxRel, d / Math.max(Math.abs(e[i]), 1e-12));
            maxExpected = Math.max(maxExpected, Math.abs(e[i]));
            within &= d <= tol.atol() + tol.rtol() * Math.abs(e[i]);
            dot += a[i] * e[i];
            ne += e[i] * e[i];
            na += a[i] * a[i];
        }
        double cosine = ne == 0 && na == 0 ? 1 : dot / Math.sqrt(ne * na);
        return new TensorDiff(name, ea.shape(), maxAbs, maxRel, cosine, maxAbs / Math.max(1, maxExpected),
                worst < 0 ? -1 : tokenOf(name, ea.shape(), worst), within, afterTie);
    }

    /**
     * Routing weights are compared expert by expert: when two chosen experts tie, engines may list them in either
     * order. Tokens routed to different sets are left equal here; the flip is reported on its own.
     */
    private static void alignByExpert(Trace expected, Trace actual, int layer, double[] e, double[] a) {
        String sel = TensorNames.selectedExperts(layer);
        if (!expected.has(sel) || !actual.has(sel)) {
            return;
        }
        long[][] se = expected.get(sel).toLongMatrix();
        long[][] sa = actual.get(sel).toLongMatrix();
        int k = se[0].length;
        for (int t = 0; t < se.length; t++) {
            double[] aligned = new double[k];
            for (int j = 0; j < k; j++) {
                int at = indexOf(sa[t], se[t][j]);
                aligned[j] = at < 0 ? e[t * k + j] : a[t * k + at];
            }
            System.arraycopy(aligned, 0, a, t * k, k);
        }
    }

    private static int indexOf(long[] v, long x) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] == x) {
                return i;
            }
        }
        return -1;
    }

    /** The token an element belongs to: rows are tokens, except in attention probabilities [H, T, S]. */
    static int tokenOf(String name, long[] shape, int flatIndex) {
        if (shape.length == 3) {
            return (int) ((flatIndex / shape[2]) % shape[1]);
        }
        if (shape.length == 0) {
            return 0;
        }
        long perToken = 1;
        for (int i = 1; i < shape.length; i++) {
            perToken *= shape[i];
        }
        return (int) (flatIndex / Math.max(1, perToken));
    }

    private static LogitsDiff compareLogits(INDArray expected, INDArray actual) {
        double[][] e = expected.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] a = actual.castTo(DataType.DOUBLE).toDoubleMatrix();
        int top1 = 0;
        double sumKl = 0;
        double maxKl = 0;
        for (int t = 0; t < e.length; t++) {
            top1 += argmax(e[t]) == argmax(a[t]) ? 1 : 0;
            double kl = Margins.kl(e[t], a[t]);
            sumKl += kl;
            maxKl = Math.max(maxKl, kl);
        }
        return new LogitsDiff(e.length, (double) top1 / e.length, sumKl / e.length, maxKl);
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static Divergence firstDivergence(Trace expected, Trace actual, List<TensorDiff> tensors, List<Flip> flips,
                                              Tolerances tol) {
        Divergence first = null;
        String firstName = null;
        for (Flip f : flips) {
            if (!f.tie()) {
                String name = TensorNames.selectedExperts(f.layer());
                if (firstName == null || TensorNames.FORWARD_ORDER.compare(name, firstName) < 0) {
                    firstName = name;
                    first = new Divergence(f.layer(), name, f.token(), "routed to " + Arrays.toString(f.actualExperts())
                            + " instead of " + Arrays.toString(f.expectedExperts()) + " (router margin "
                            + String.format("%.3g", f.margin()) + ")");
                }
                break;
            }
        }
        for (TensorDiff d : tensors) {
            if (!d.within() && !d.afterTie()) {
                if (firstName == null || TensorNames.FORWARD_ORDER.compare(d.name(), firstName) < 0) {
                    int token = Double.isNaN(d.maxAbsError()) ? -1 : firstBadToken(expected, actual, d.name(), tol);
                    String what = Double.isNaN(d.maxAbsError())
                            ? "shape " + Arrays.toString(actual.get(d.name()).shape()) + " instead of "
                                    + Arrays.toString(expected.get(d.name()).shape())
                            : String.format("max |actual - expected| = %.3g (token %d)", d.maxAbsError(), d.worstToken());
                    first = new Divergence(TensorNames.layerOf(d.name()), d.name(), token, what);
                }
                break;
            }
        }
        return first;
    }

    private static int firstBadToken(Trace expected, Trace actual, String name, Tolerances tol) {
        INDArray ea = expected.get(name);
        double[] e = ea.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] a = actual.get(name).castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int first = Integer.MAX_VALUE;
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(a[i] - e[i]) <= tol.atol() + tol.rtol() * Math.abs(e[i]))) {
                first = Math.min(first, tokenOf(name, ea.shape(), i));
            }
        }
        return first == Integer.MAX_VALUE ? -1 : first;
    }
}
