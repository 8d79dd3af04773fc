package mixtral.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The few array operations the model needs beyond ND4J's own, each named as PyTorch names it. */
final class Ops {
    private Ops() {}

    /**
     * {@code torch.nn.functional.linear}: x [T, in] times w [out, in] transposed gives [T, out]. One row (a decoded
     * token, or an expert given one token) goes through BLAS gemv, several times faster than a one-row gemm.
     */
    static INDArray linear(INDArray x, INDArray w) {
        if (x.rows() > 1) {
            return BlasGate.call(() -> Nd4j.gemm(x, w, false, true));
        }
        INDArray y = Nd4j.createUninitialized(x.dataType(), 1, w.rows());
        return BlasGate.call(() -> gemv(w, x, y));
    }

    /**
     * w [out, in] times the columns of c [in, n]: [out, n]. With c = x transposed this is linear(x, w) transposed;
     * for the few tokens an expert gets, BLAS runs this shape faster (1.5x for 32 tokens). One column goes
     * through gemv.
     */
    static INDArray times(INDArray w, INDArray c) {
        if (c.columns() > 1) {
            // A transposed view: BLAS reads it transposed in place, where ND4J would copy it first.
            return BlasGate.call(() -> c.ordering() == 'f' ? Nd4j.gemm(w, c.transpose(), false, true)
                    : Nd4j.gemm(w, c, false, false));
        }
        INDArray y = Nd4j.createUninitialized(c.dataType(), w.rows(), 1);
        return BlasGate.call(() -> gemv(w, c, y));
    }

    /** y = w times the vector held in x (any shape of w.columns() elements); returns y. */
    private static INDArray gemv(INDArray w, INDArray x, INDArray y) {
        Nd4j.getBlasWrapper().level2().gemv('c', 'N', 1.0, w, x.reshape(x.length()), 0.0, y.reshape(w.rows()));
        return y;
    }

    /** Batched matrix product of rank-3 arrays [B, M, K] x [B, K, N] (b transposed if asked): [B, M, N]. */
    static INDArray matmul(INDArray a, INDArray b, boolean transposeB) {
        return BlasGate.call(() -> Nd4j.matmul(a, b, false, transposeB, false));
    }

    /** SiLU (swish), a * sigmoid(a), in place. */
    static INDArray siluInPlace(INDArray a) {
        return Nd4j.exec(new Swish(a, a));
    }

    /** Softmax along the last axis of a 2-D array [rows, n]. */
    static INDArray softmaxRows(INDArray x) {
        return Transforms.softmax(x, true);
    }

    /** The rows {@code idx} of x [T, D], as a new array [idx.length, D]. */
    static INDArray gatherRows(INDArray x, int[] idx) {
        return Nd4j.pullRows(x, 1, idx);
    }

    /** target[idx[r]] += rows[r] for every r, in place. */
    static void scatterAddRows(INDArray target, int[] idx, INDArray rows) {
        Nd4j.exec(DynamicCustomOp.builder("scatter_add")
                .addInputs(target, Nd4j.createFromArray(idx), rows)
                .addOutputs(target)
                .build());
    }

    /** A cheap guard where a wrong shape would otherwise broadcast silently. */
    static void checkShape(INDArray a, String what, long... shape) {
        if (!java.util.Arrays.equals(a.shape(), shape)) {
            throw new IllegalStateException(what + " has shape " + java.util.Arrays.toString(a.shape())
                    + ", expected " + java.util.Arrays.toString(shape));
        }
    }
}
