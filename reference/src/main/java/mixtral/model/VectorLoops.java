package mixtral.model;

import java.nio.FloatBuffer;
import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two element-wise loops of the forward pass that need exp (SiLU times the up projection, attention's softmax), in
 * SIMD lanes through Java's Vector API: ND4J runs them at 2 to 3 times PyTorch's cost on these sizes, and plain Java
 * loops compute exp one element at a time (docs/performance.md). Loaded only when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (see {@link Ops#VECTOR_API_PRESENT}).
 *
 * <p>exp is computed here from additions, multiplications and a bit shift, which IEEE 754 defines exactly, rather than
 * with the Vector API's own EXP: that one gives different last bits before and after the JIT compiles the loop (a
 * Java fallback, then Intel's SVML), so the same prompt gave different logits from one run to the next. For the same
 * reason sums over the lanes are added in a fixed order. The lanes and the scalar remainder compute the same
 * operations, so a result does not depend on where an element falls.
 *
 * <p>The arrays live off the Java heap; each block is copied into a small Java array and back, because the Vector API
 * reads native memory through a different method in every JDK since 17 and reads Java arrays the same way in all.
 */
final class VectorLoops {
    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    private static final int BLOCK = 2048;   // floats; three of these stay in the L1 cache

    // exp(x) = 2^n exp(r), n = round(x / ln 2), |r| <= ln 2 / 2; exp(r) by Cephes' expf polynomial (about 1 ulp).
    private static final float LOW = -87f;                 // exp(-87) = 1.6e-38, the smallest normal float's range
    private static final float HIGH = 88f;                 // exp(88) = 1.65e38, below the largest float
    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUND = 12582912f;         // 1.5 * 2^23: adding it rounds to an integer
    private static final float LN2_HI = 0.693359375f;     // ln 2 = LN2_HI + LN2_LO, LN2_HI exact in few bits
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float[] POLY = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f,
        1.6666665459e-1f, 5.0000001201e-1f};
    private static final int EXPONENT_BIAS = Float.floatToRawIntBits(ROUND) - 127;

    private VectorLoops() {}

    /** gate[i] = silu(gate[i]) * up[i] = gate[i] / (1 + exp(-gate[i])) * up[i], for i in [from, to). */
    static void siluTimes(FloatBuffer gate, FloatBuffer up, int from, int to) {
        float[] g = new float[BLOCK];
        float[] u = new float[BLOCK];
        for (int start = from; start < to; start += BLOCK) {
            int n = Math.min(BLOCK, to - start);
            gate.get(start, g, 0, n);
            up.get(start, u, 0, n);
            int i = 0;
            for (int bound = LANES.loopBound(n); i < bound; i += LANES.length()) {
                FloatVector a = FloatVector.fromArray(LANES, g, i);
                a.div(exp(a.neg()).add(1f)).mul(FloatVector.fromArray(LANES, u, i)).intoArray(g, i);
            }
            for (; i < n; i++) {
                g[i] = g[i] / (exp(-g[i]) + 1f) * u[i];
            }
            gate.put(start, g, 0, n);
        }
    }

    /**
     * Softmax of (row / divisor) over the columns first(i)..last(i) of each row i in [from, to) of a dense [T, S],
     * in place; the other columns become 0.
     */
    static void softmaxRows(FloatBuffer rows, int s, int from, int to, float divisor, IntUnaryOperator first,
            IntUnaryOperator last) {
        float[] r = new float[s];
        float[] zeros = new float[s];
        float[] lanes = new float[LANES.length()];
        for (int i = from; i < to; i++) {
            int lo = first.applyAsInt(i);
            int n = last.applyAsInt(i) - lo + 1;
            rows.get(i * s + lo, r, 0, n);
            int bound = LANES.loopBound(n);
            FloatVector top = FloatVector.broadcast(LANES, Float.NEGATIVE_INFINITY);
            int j = 0;
            for (; j < bound; j += LANES.length()) {
                FloatVector x = FloatVector.fromArray(LANES, r, j).div(divisor);
                x.intoArray(r, j);
                top = top.max(x);
            }
            float max = top.reduceLanes(VectorOperators.MAX);                  // exact in any order
            for (; j < n; j++) {
                r[j] /= divisor;
                max = Math.max(max, r[j]);
            }
            FloatVector sums = FloatVector.zero(LANES);
            for (j = 0; j < bound; j += LANES.length()) {
                FloatVector e = exp(FloatVector.fromArray(LANES, r, j).sub(max));
                e.intoArray(r, j);
                sums = sums.add(e);
            }
            sums.intoArray(lanes, 0);
            float sum = 0;
            for (float lane : lanes) {
                sum += lane;
            }
            for (; j < n; j++) {
                r[j] = exp(r[j] - max);
                sum += r[j];
            }
            float scale = 1f / sum;
            for (j = 0; j < bound; j += LANES.length()) {
                FloatVector.fromArray(LANES, r, j).mul(scale).intoArray(r, j);
            }
            for (; j < n; j++) {
                r[j] *= scale;
            }
            rows.put(i * s, zeros, 0, lo);                                     // masked: exactly 0
            rows.put(i * s + lo, r, 0, n);
            rows.put(i * s + lo + n, zeros, 0, s - lo - n);
        }
    }

    /** exp of each lane (see the class comment); below -87 it gives about 1e-38 instead of smaller, above 88 1.65e38. */
    static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(LOW).min(HIGH);
        FloatVector t = c.mul(LOG2E).add(ROUND);                                    // ROUND + n
        FloatVector n = t.sub(ROUND);
        FloatVector r = c.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
        FloatVector p = FloatVector.broadcast(LANES, POLY[0]);
        for (int k = 1; k < POLY.length; k++) {
            p = p.mul(r).add(POLY[k]);
        }
        p = p.mul(r).mul(r).add(r).add(1f);
        IntVector bits = ((IntVector) t.viewAsIntegralLanes()).sub(EXPONENT_BIAS).lanewise(VectorOperators.LSHL, 23);
        return p.mul((FloatVector) bits.viewAsFloatingLanes());                    // times 2^n
    }

    /** The same operations on one float, so that the remainder after the lanes rounds exactly as they do. */
    static float exp(float x) {
        float c = Math.min(Math.max(x, LOW), HIGH);
        float t = c * LOG2E + ROUND;
        float n = t - ROUND;
        float r = c - n * LN2_HI - n * LN2_LO;
        float p = POLY[0];
        for (int k = 1; k < POLY.length; k++) {
            p = p * r + POLY[k];
        }
        p = p * r * r + r + 1f;
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) - EXPONENT_BIAS) << 23);
    }
}
