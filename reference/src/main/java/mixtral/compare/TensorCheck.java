package mixtral.compare;

import java.util.Arrays;
import java.util.Set;
import mixtral.compare.Report.TensorDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** One float tensor of B against the baseline's, element by element. */
final class TensorCheck {
    private TensorCheck() {}

    /**
     * @param excused tokens whose elements are not compared (routing entries of a tie), empty for most tensors
     * @param actual  B's values, already aligned with the baseline's layout
     */
    static TensorDiff check(String name, INDArray expected, double[] actual, long[] actualShape, Tolerances tol,
                            Set<Integer> excused) {
        long[] shape = expected.shape();
        if (!Arrays.equals(shape, actualShape)) {
            return new TensorDiff(name, actualShape, Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1, 0, 0, 0, 0, 0,
                    false);
        }
        double[] e = values(expected);
        double maxAbs = 0;
        double maxRel = 0;
        double maxExpected = 0;
        double dot = 0;
        double ne = 0;
        double na = 0;
        int worst = -1;
        int firstBad = Integer.MAX_VALUE;
        long nonFiniteE = 0;
        long nonFiniteA = 0;
        long mismatches = 0;
        for (int i = 0; i < e.length; i++) {
            int token = tokenOf(shape, i);
            if (excused.contains(token)) {
                continue;
            }
            nonFiniteE += Double.isFinite(e[i]) ? 0 : 1;
            nonFiniteA += Double.isFinite(actual[i]) ? 0 : 1;
            if (!tol.agree(e[i], actual[i])) {
                firstBad = Math.min(firstBad, token);
                if (!Double.isFinite(e[i]) || !Double.isFinite(actual[i])) {
                    mismatches++;
                }
            }
            if (!Double.isFinite(e[i]) || !Double.isFinite(actual[i])) {
                continue;
            }
            double d = Math.abs(actual[i] - e[i]);
            if (d > maxAbs) {
                maxAbs = d;
                worst = token;
            }
            maxRel = Math.max(maxRel, d / Math.max(Math.abs(e[i]), 1e-12));
            maxExpected = Math.max(maxExpected, Math.abs(e[i]));
            dot += actual[i] * e[i];
            ne += e[i] * e[i];
            na += actual[i] * actual[i];
        }
        double cosine = ne == 0 && na == 0 ? 1 : dot / Math.sqrt(ne * na);
        return new TensorDiff(name, shape, maxAbs, maxRel, cosine, maxAbs / Math.max(1, maxExpected), worst,
                firstBad == Integer.MAX_VALUE ? -1 : firstBad, excused.size(), nonFiniteE, nonFiniteA, mismatches,
                firstBad == Integer.MAX_VALUE);
    }

    static double[] values(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    /** The token an element belongs to: rows are tokens, except in attention probabilities [H, T, S]. */
    static int tokenOf(long[] shape, int flatIndex) {
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
}
