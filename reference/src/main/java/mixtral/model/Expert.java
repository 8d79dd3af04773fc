package mixtral.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** One expert: a SwiGLU feed-forward network, w2(silu(w1 x) * w3 x). */
final class Expert {
    private final Weight w1;   // [F, D]
    private final Weight w2;   // [D, F]
    private final Weight w3;   // [F, D]

    Expert(Weight w1, Weight w2, Weight w3) {
        this.w1 = w1;
        this.w2 = w2;
        this.w3 = w3;
    }

    /** x [n, D], the tokens routed here -> [n, D]. Computed with the tokens as columns, W x as in the paper. */
    INDArray forward(INDArray x) {
        INDArray columns = x.transpose();                                                                    // [D, n]
        INDArray gated = Ops.siluTimesInPlace(Blas.times(w1.get(), columns), Blas.times(w3.get(), columns));  // [F, n]
        return Blas.times(w2.get(), gated).transpose();                                                      // [n, D]
    }
}
