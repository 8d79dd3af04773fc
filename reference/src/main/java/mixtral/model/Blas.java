package mixtral.model;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The model's matrix products, handed straight to OpenBLAS ({@code cblas_sgemm}, {@code cblas_sgemv}) on ND4J's
 * own buffers. ND4J's {@code Nd4j.gemm} calls the same OpenBLAS, but around it it checks, and copies an operand whose
 * layout it does not take as is; measured on every product shape of the benchmark it was 10 to 35% slower than the
 * bare call (a 512 x 1024 x 32000 LM head with a transposed operand twice as slow). Here each operand is described to BLAS as
 * it lies in memory, row- or column-major, so nothing is copied. Every call passes {@link BlasGate}.
 */
public final class Blas {
    private Blas() {}

    /**
     * {@code torch.nn.functional.linear}: x [T, in] times w [out, in] transposed gives [T, out]. One row (a decoded
     * token) goes through gemv, several times faster than a one-row gemm.
     */
    public static INDArray linear(INDArray x, INDArray w) {
        return x.rows() > 1 ? gemm(x, false, w, true) : gemv(w, x);
    }

    /** op(a) [m, k] times op(b) [k, n], op transposing when asked: a new row-major [m, n]. */
    static INDArray gemm(INDArray a, boolean transposeA, INDArray b, boolean transposeB) {
        long rows = transposeA ? a.columns() : a.rows();
        long cols = transposeB ? b.rows() : b.columns();
        return gemmInto(a, transposeA, b, transposeB, output(rows, cols));
    }

    /**
     * A new row-major [rows, cols] for a product to write. Inside a workspace, the layer's reused memory. Outside one
     * (the logits, which outlive the pass), memory nothing has touched yet, so that the product's threads fault its
     * pages in as they write them: ND4J's own allocation writes all of it first, on one thread (35 to 48 ms for the
     * [512, 32000] logits before their product started, measured here).
     */
    private static INDArray output(long rows, long cols) {
        if (Nd4j.getMemoryManager().getCurrentWorkspace() != null) {
            return Nd4j.createUninitialized(DataType.FLOAT, rows, cols);
        }
        FloatPointer memory = new FloatPointer(rows * cols);      // freed with the array that holds it
        DataBuffer buffer = Nd4j.createBuffer(memory, DataType.FLOAT, rows * cols, FloatIndexer.create(memory));
        return Nd4j.create(buffer, new long[] {rows, cols}, new long[] {cols, 1}, 0, 'c');
    }

    /**
     * The same into c [m, n], which may be a view of a wider row-major array (one head's columns of [T, H*Hd]):
     * c's rows are written in place, nothing else of its array.
     */
    static INDArray gemmInto(INDArray a, boolean transposeA, INDArray b, boolean transposeB, INDArray c) {
        Operand left = Operand.of(a, transposeA);
        Operand right = Operand.of(b, transposeB);
        if (left.cols != right.rows) {
            throw new IllegalStateException("matrix product of [" + left.rows + ", " + left.cols + "] and ["
                    + right.rows + ", " + right.cols + "]");
        }
        if (c.rank() != 2 || c.rows() != left.rows || c.columns() != right.cols) {
            throw new IllegalStateException("matrix product of [" + left.rows + ", " + left.cols + "] and ["
                    + right.rows + ", " + right.cols + "] into " + java.util.Arrays.toString(c.shape()));
        }
        if (c.stride(1) != 1 && c.columns() > 1 || c.stride(0) < c.columns() && c.rows() > 1) {
            throw new IllegalStateException("matrix product into an array that is not row-major: " + c.shapeInfoToString());
        }
        int ldc = (int) Math.max(c.columns(), c.rows() > 1 ? c.stride(0) : 1);
        BlasGate.call(() -> {
            openblas.cblas_sgemm(openblas.CblasRowMajor, left.trans, right.trans, (int) left.rows,
                    (int) right.cols, (int) left.cols, 1f, left.data, left.ld, right.data, right.ld, 0f,
                    pointer(c), ldc);
            return c;
        });
        return c;
    }

    /** w [out, in] times the vector held in x (any shape of in elements): a new row [1, out]. */
    private static INDArray gemv(INDArray w, INDArray x) {
        Operand m = Operand.of(w, false);
        INDArray v = x.elementWiseStride() == 1 ? x : x.dup('c');     // a vector, contiguous either way
        INDArray y = output(1, w.rows());
        BlasGate.call(() -> {
            boolean stored = m.trans == openblas.CblasNoTrans;                   // else BLAS reads w's transpose
            openblas.cblas_sgemv(openblas.CblasRowMajor, m.trans, (int) (stored ? m.rows : m.cols),
                    (int) (stored ? m.cols : m.rows), 1f, m.data, m.ld, pointer(v), 1, 0f, pointer(y), 1);
            return y;
        });
        return y;
    }

    /** Where a starts: a view's buffer ({@code data()}) already begins at its first element (BlasTest checks). */
    private static FloatPointer pointer(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            throw new IllegalStateException("BLAS product of a " + a.dataType() + " array; the model is float32");
        }
        return new FloatPointer(a.data().addressPointer());
    }

    /**
     * A matrix operand as BLAS sees it: the logical matrix op(x) [rows, cols], whether BLAS is to transpose what it
     * reads, and the leading dimension. A row-major x is read as is; a column-major one (a transposed view) as the
     * transpose of a row-major one. Anything else is copied first.
     */
    private record Operand(FloatPointer data, int trans, int ld, long rows, long cols) {
        static Operand of(INDArray x, boolean transposed) {
            if (x.rank() != 2) {
                throw new IllegalStateException("BLAS operand of rank " + x.rank());
            }
            long r = x.rows();
            long c = x.columns();
            boolean rowMajor = (x.stride(1) == 1 || c == 1) && (r == 1 || x.stride(0) >= c);
            boolean colMajor = !rowMajor && (x.stride(0) == 1 || r == 1) && (c == 1 || x.stride(1) >= r);
            if (!rowMajor && !colMajor) {
                return of(x.dup('c'), transposed);
            }
            long ld = rowMajor ? (r == 1 ? c : x.stride(0)) : (c == 1 ? r : x.stride(1));
            boolean readTransposed = transposed != colMajor;
            int trans = readTransposed ? openblas.CblasTrans : openblas.CblasNoTrans;
            return new Operand(pointer(x), trans, (int) Math.max(1, ld),
                    transposed ? c : r, transposed ? r : c);
        }
    }
}
