package mixtral.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The few array operations the model needs beyond ND4J's own, each named as PyTorch names it. */
final class Ops {
    private Ops() {}

    /** Batched matrix product of rank-3 arrays [B, M, K] x [B, K, N] (b transposed if asked): [B, M, N]. */
    static INDArray matmul(INDArray a, INDArray b, boolean transposeB) {
        return BlasGate.call(() -> Nd4j.matmul(a, b, false, transposeB, false));
    }

    /** SiLU (swish), a * sigmoid(a), in place. */
    static INDArray siluInPlace(INDArray a) {
        return Nd4j.exec(new Swish(a, a));
    }

    /** Softmax along the last axis of a 2-D array [rows, n], into a new array. */
    static INDArray softmaxRows(INDArray x) {
        return Transforms.softmax(x, true);
    }

    /** The same, in place: half the time for attention scores, which nothing reads afterwards. */
    static INDArray softmaxRowsInPlace(INDArray x) {
        return Transforms.softmax(x, false);
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
