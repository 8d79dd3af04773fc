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

    /** x [n, D], the tokens routed here -> [n, D] */
    INDArray forward(INDArray x) {
        INDArray gated = Ops.siluTimesInPlace(Blas.linear(x, w1.get()), Blas.linear(x, w3.get()));   // [n, F]
        return Blas.linear(gated, w2.get());                                                         // [n, D]
    }
}
