package mixtral.engines.llamacpp;

import mixtral.config.MixtralConfig;
import mixtral.weights.RopeRows;
import mixtral.weights.WeightSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A mutation: weights whose query and key rows come out of the GGUF writer's permutation in Hugging Face order, as a
 * converter that forgot to permute would write them.
 */
record UnpermutedRows(WeightSource w) implements WeightSource {
    @Override public MixtralConfig config() { return w.config(); }
    @Override public INDArray embedding() { return w.embedding(); }
    @Override public INDArray finalNorm() { return w.finalNorm(); }
    @Override public INDArray lmHead() { return w.lmHead(); }
    @Override public INDArray attnNorm(int l) { return w.attnNorm(l); }
    @Override public INDArray wq(int l) { return undo(w.wq(l), config().numAttentionHeads()); }
    @Override public INDArray wk(int l) { return undo(w.wk(l), config().numKeyValueHeads()); }
    @Override public INDArray wv(int l) { return w.wv(l); }
    @Override public INDArray wo(int l) { return w.wo(l); }
    @Override public INDArray moeNorm(int l) { return w.moeNorm(l); }
    @Override public INDArray gate(int l) { return w.gate(l); }
    @Override public INDArray w1(int l, int e) { return w.w1(l, e); }
    @Override public INDArray w2(int l, int e) { return w.w2(l, e); }
    @Override public INDArray w3(int l, int e) { return w.w3(l, e); }

    /** Rows the writer's rotate-half-to-interleaved permutation turns back into {@code hf}'s order. */
    private INDArray undo(INDArray hf, int heads) {
        float[] rows = RopeRows.interleavedToRotateHalf(hf.dup('c').data().asFloat(), heads, config().headDim(),
                config().hiddenSize());
        return Nd4j.create(rows, hf.shape(), 'c');
    }
}
