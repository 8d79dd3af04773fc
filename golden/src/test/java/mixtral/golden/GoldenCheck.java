package mixtral.golden;

import mixtral.trace.TraceTensor;
import java.util.Arrays;
import mixtral.compare.Margins;
import mixtral.compare.Report;
import mixtral.compare.Tolerances;
import mixtral.compare.TraceComparison;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The golden criteria, shared by the golden tests and the negative controls that prove those tests can fail. */
final class GoldenCheck {
    /** Largest allowed max |ours - golden| / max(1, max |golden|) for any float tensor. */
    static final double MAX_SCALED_ERROR = 1e-4;
    /** Below this router margin (K-th minus (K+1)-th logit) a different expert choice is a tie, not an error. */
    static final double TIE_MARGIN = 1e-4;

    private GoldenCheck() {}

    /** max |ours - golden| / max(1, max |golden|) */
    static double scaledError(Trace golden, Trace ours, String name) {
        return scaledError(golden.get(name), ours.get(name));
    }

    /** max |ours - golden| / max(1, max |golden|) over two arrays of the same length (infinite if they differ). */
    static double scaledError(INDArray golden, INDArray ours) {
        double[] g = golden.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] o = ours.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        if (g.length != o.length) {
            return Double.POSITIVE_INFINITY;
        }
        double maxDiff = 0;
        double maxGolden = 0;
        for (int i = 0; i < g.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(g[i] - o[i]));
            maxGolden = Math.max(maxGolden, Math.abs(g[i]));
        }
        return Double.isNaN(maxDiff) ? Double.POSITIVE_INFINITY : maxDiff / Math.max(1, maxGolden);
    }

    /** The element where two arrays differ most (a NaN first) and both values there: for messages and the report. */
    record Difference(int at, double golden, double ours) {
        static Difference largest(INDArray golden, INDArray ours) {
            double[] g = golden.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            double[] o = ours.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            int at = 0;
            for (int i = 0; i < Math.min(g.length, o.length); i++) {
                double d = Math.abs(g[i] - o[i]);
                if (Double.isNaN(d)) {
                    return new Difference(i, g[i], o[i]);
                }
                if (d > Math.abs(g[at] - o[at])) {
                    at = i;
                }
            }
            return new Difference(at, g[at], o[at]);
        }

        double abs() {
            return Math.abs(golden - ours);
        }

        @Override
        public String toString() {
            return String.format("max |diff| %.2e at element %d (golden %.6g, ours %.6g)", abs(), at, golden, ours);
        }
    }

    /** Tokens of a layer whose expert set differs from the golden one although the golden margin was clear. */
    static int clearFlips(Trace golden, Trace ours, int layer) {
        long[][] g = golden.get(TensorNames.selectedExperts(layer)).toLongMatrix();
        long[][] o = ours.get(TensorNames.selectedExperts(layer)).toLongMatrix();
        float[][] logits = golden.get(TensorNames.routerLogits(layer)).toFloatMatrix();
        int flips = 0;
        for (int t = 0; t < g.length; t++) {
            long[] a = g[t].clone();
            long[] b = o[t].clone();
            Arrays.sort(a);
            Arrays.sort(b);
            if (!Arrays.equals(a, b) && Margins.margin(logits[t], g[t].length) > TIE_MARGIN) {
                flips++;
            }
        }
        return flips;
    }

    /** Whether a whole trace meets the golden criteria: every float tensor within bound, no clear flip. */
    static boolean passes(Trace golden, Trace ours) {
        for (String name : golden.tensors().keySet()) {
            if (!ours.has(name)) {
                continue;
            }
            if (TensorNames.is(name, TraceTensor.SELECTED_EXPERTS)) {
                if (clearFlips(golden, ours, TensorNames.layerOf(name)) > 0) {
                    return false;
                }
            } else if (!TensorNames.isInteger(name) && scaledError(golden, ours, name) > MAX_SCALED_ERROR) {
                return false;
            }
        }
        return true;
    }

    /** Where ours first departs from the golden trace, for failure messages. */
    static String firstDivergence(Trace golden, Trace ours) {
        Report r = TraceComparison.compare(golden, ours, new Tolerances(MAX_SCALED_ERROR, 0, TIE_MARGIN));
        return r.first() == null ? "no divergence beyond atol " + MAX_SCALED_ERROR
                : "first divergence: " + r.first().tensor() + ", token " + r.first().token() + ": " + r.first().what();
    }
}
