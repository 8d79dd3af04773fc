package mixtral.model;

import mixtral.trace.Recorder;
import mixtral.trace.TensorNames;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The sparse Mixture-of-Experts block that replaces the dense feed-forward network: each token goes through only the
 * K experts its router chose, and their outputs are added, scaled by the routing weights:
 * y = sum over chosen i of w_i * expert_i(x).
 */
final class SparseMoe {
    /**
     * An expert's tokens are gathered into a multiple of this many rows, zeros after them: the OpenBLAS that ND4J
     * ships (0.3.19) multiplies 48 rows in 2.8 ms and 44 in 4.2 (docs/performance.md).
     */
    private static final int BLAS_ROWS = 16;
    private final int layer;
    private final Router router;
    private final Expert[] experts;

    SparseMoe(int layer, Router router, Expert[] experts) {
        this.layer = layer;
        this.router = router;
        this.experts = experts;
    }

    SparseMoe with(Intervention i) {
        return new SparseMoe(layer, router.with(i), experts);
    }

    /** x [T, D], the tokens at positions start..start+T-1 -> [T, D] */
    INDArray forward(INDArray x, int start, Recorder rec) {
        Routing routing = router.route(x, start);
        rec.record(TensorNames.routerLogits(layer), routing.logits());
        rec.record(TensorNames.routerProbs(layer), routing::probs);
        rec.record(TensorNames.selectedExperts(layer), routing::expertsArray);
        rec.record(TensorNames.routingWeights(layer), routing::weightsArray);

        INDArray out = Nd4j.zeros(x.dataType(), x.rows(), x.columns());                // [T, D]
        for (int e = 0; e < experts.length; e++) {
            Routing.Batch batch = routing.tokensOf(e);
            if (batch.isEmpty()) {
                continue;
            }
            INDArray rows = Ops.gatherRows(x, batch.tokens(), BLAS_ROWS);   // [n, D], then zero rows to a multiple
            Ops.addScaledRows(out, batch.tokens(), batch.weights(), experts[e].forward(rows));   // out[t] += w expert(x[t])
        }
        rec.record(TensorNames.moeOut(layer), out);
        return out;
    }
}
