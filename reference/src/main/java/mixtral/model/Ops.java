package mixtral.model;

import java.nio.FloatBuffer;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The few array operations the model needs beyond ND4J's own, each named as PyTorch names it. */
final class Ops {
    /** Whether {@link VectorLoops} can run: the JVM was started with {@code --add-modules jdk.incubator.vector}. */
    static final boolean VECTOR_API_PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    private static volatile boolean vectorApi = VECTOR_API_PRESENT;
    /** Below this many elements a loop runs on the calling thread alone: handing work out costs more. */
    private static final int PARALLEL_FROM = 1 << 16;

    private Ops() {}

    /** Tests switch to the ND4J path and back with this; returns whether the Vector API was in use before. */
    static boolean useVectorApi(boolean on) {
        if (on && !VECTOR_API_PRESENT) {
            throw new IllegalStateException("the JVM runs without --add-modules jdk.incubator.vector");
        }
        boolean before = vectorApi;
        vectorApi = on;
        return before;
    }

    /**
     * silu(gate) * up, element by element, into gate (the SwiGLU's element-wise half); both the same shape. Through
     * the Vector API when the JVM has it (3 times faster than ND4J here), else ND4J's swish and multiply.
     */
    static INDArray siluTimesInPlace(INDArray gate, INDArray up) {
        checkShape(up, "up, in silu(gate) * up,", gate.shape());
        if (!vectorApi || !isDense(gate) || !isDense(up)) {
            return Nd4j.exec(new Swish(gate, gate)).muli(up);
        }
        FloatBuffer g = floats(gate);
        FloatBuffer u = floats(up);
        inParts(g.capacity(), g.capacity(), (from, to) -> VectorLoops.siluTimes(g, u, from, to));
        return gate;
    }

    /** Softmax along the last axis of a 2-D array [rows, n], into a new array. */
    static INDArray softmaxRows(INDArray x) {
        return Transforms.softmax(x, true);
    }

    /**
     * Attention's softmax(scores / divisor + mask) along each row of scores [T, S], in place: row i sees columns
     * first(i) to last(i), and the others get exactly 0, as the published code's mask of the most negative float
     * gives them. Through the Vector API when the JVM has it, else ND4J's divide, add and softmax.
     */
    static INDArray softmaxRowsInPlace(INDArray scores, double divisor, IntUnaryOperator first, IntUnaryOperator last) {
        int t = (int) scores.rows();
        int s = (int) scores.columns();
        if (!vectorApi || !isDense(scores)) {
            float[] mask = new float[t * s];
            for (int i = 0; i < t; i++) {
                int lo = first.applyAsInt(i);
                int hi = last.applyAsInt(i);
                for (int j = 0; j < s; j++) {
                    mask[i * s + j] = j >= lo && j <= hi ? 0f : -Float.MAX_VALUE;
                }
            }
            scores.divi(divisor).addi(Nd4j.create(mask, new long[] {t, s}, 'c'));
            return Transforms.softmax(scores, false);
        }
        FloatBuffer rows = floats(scores);
        inParts(t, (long) t * s, (from, to) -> VectorLoops.softmaxRows(rows, s, from, to, (float) divisor, first, last));
        return scores;
    }

    /**
     * Runs body(from, to) over parts of [0, n), one per ND4J thread (the threads OpenMP would use), or on this thread
     * alone when there are fewer than PARALLEL_FROM elements of work in all.
     */
    private static void inParts(int n, long work, Range body) {
        int parts = work < PARALLEL_FROM ? 1 : Math.max(1, Math.min(n, Nd4j.getEnvironment().maxThreads()));
        IntStream.range(0, parts).parallel()
                .forEach(p -> body.run((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
    }

    private interface Range {
        void run(int from, int to);
    }

    /** The rows {@code idx} of x [T, D], as a new array [idx.length, D]: one bulk copy per row when x is dense. */
    static INDArray gatherRows(INDArray x, int[] idx) {
        return isDense(x) ? gatherRows(x, idx, 1) : Nd4j.pullRows(x, 1, idx);
    }

    /**
     * The same with zero rows after them up to a multiple of {@code multiple} rows: [idx.length rounded up, D]. One row
     * stays one row (a single token goes through gemv).
     */
    static INDArray gatherRows(INDArray x, int[] idx, int multiple) {
        INDArray source = dense(x);
        int d = (int) x.columns();
        int rows = idx.length == 1 ? 1 : (idx.length + multiple - 1) / multiple * multiple;
        INDArray out = rows == idx.length ? Nd4j.createUninitialized(DataType.FLOAT, rows, d)
                : Nd4j.zeros(DataType.FLOAT, rows, d);
        FloatBuffer from = floats(source);
        FloatBuffer to = floats(out);
        for (int r = 0; r < idx.length; r++) {
            to.put(r * d, from, idx[r] * d, d);
        }
        return out;
    }

    /**
     * target[idx[r]] += w[r] * rows[r] for every r < idx.length, in place: target [T, D] dense, rows [at least
     * idx.length, D] (rows after those, such as gatherRows' padding, are not read), idx distinct (an expert sees a
     * token once).
     */
    static void addScaledRows(INDArray target, int[] idx, float[] w, INDArray rows) {
        if (rows.rank() != 2 || rows.rows() < idx.length || rows.columns() != target.columns()) {
            throw new IllegalStateException("rows to add have shape " + java.util.Arrays.toString(rows.shape())
                    + ", expected at least [" + idx.length + ", " + target.columns() + "]");
        }
        if (!isDense(target) || w.length != idx.length) {
            throw new IllegalStateException("scatter of " + w.length + " weights and " + idx.length + " rows into "
                    + target.shapeInfoToString());
        }
        boolean[] seen = new boolean[(int) target.rows()];
        for (int i : idx) {
            if (seen[i]) {
                throw new IllegalStateException("row " + i + " given twice to add into");
            }
            seen[i] = true;
        }
        FloatBuffer source = floats(dense(rows));
        FloatBuffer dest = floats(target);
        int d = (int) target.columns();
        float[] row = new float[d];
        float[] sum = new float[d];
        for (int r = 0; r < idx.length; r++) {
            source.get(r * d, row, 0, d);
            dest.get(idx[r] * d, sum, 0, d);
            for (int i = 0; i < d; i++) {
                sum[i] += w[r] * row[i];      // a loop the JIT compiles to SIMD instructions
            }
            dest.put(idx[r] * d, sum, 0, d);
        }
    }

    /** A float32 array whose elements lie in row-major order with nothing between them (no strided view). */
    private static boolean isDense(INDArray a) {
        if (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || a.length() > Integer.MAX_VALUE) {
            return false;
        }
        long expected = 1;
        for (int i = a.rank() - 1; i >= 0; i--) {
            if (a.size(i) != 1 && a.stride(i) != expected) {
                return false;
            }
            expected *= a.size(i);
        }
        return true;
    }

    /** a itself when dense, else a dense float32 copy of it, so that {@link #floats} reads the right elements. */
    private static INDArray dense(INDArray a) {
        return isDense(a) ? a : a.castTo(DataType.FLOAT).dup('c');
    }

    /** The elements of a dense array, as a buffer over its memory (a view's memory starts at its first element). */
    private static FloatBuffer floats(INDArray a) {
        return new FloatPointer(a.data().addressPointer()).capacity(a.length()).asBuffer();
    }

    /** A cheap guard where a wrong shape would otherwise broadcast silently. */
    static void checkShape(INDArray a, String what, long... shape) {
        if (!java.util.Arrays.equals(a.shape(), shape)) {
            throw new IllegalStateException(what + " has shape " + java.util.Arrays.toString(a.shape())
                    + ", expected " + java.util.Arrays.toString(shape));
        }
    }
}
