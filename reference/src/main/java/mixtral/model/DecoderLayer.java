package mixtral.model;

import mixtral.trace.Recorder;
import mixtral.trace.TensorNames;
import org.nd4j.linalg.api.ndarray.INDArray;

/** One transformer block: attention then sparse MoE, each reading a normalised copy and adding to the residual stream. */
final class DecoderLayer {
    private final int index;
    private final RmsNorm attnNorm;
    private final Attention attention;
    private final RmsNorm moeNorm;
    private final SparseMoe moe;

    DecoderLayer(int index, RmsNorm attnNorm, Attention attention, RmsNorm moeNorm, SparseMoe moe) {
        this.index = index;
        this.attnNorm = attnNorm;
        this.attention = attention;
        this.moeNorm = moeNorm;
        this.moe = moe;
    }

    DecoderLayer with(Intervention i) {
        return new DecoderLayer(index, attnNorm, attention, moeNorm, moe.with(i));
    }

    /** x [T, D], the tokens after the cache's -> [T, D] */
    INDArray forward(INDArray x, KvCache cache, Recorder rec) {
        INDArray h = x.add(attention.forward(attnNorm.forward(x, rec), cache, rec));   // [T, D]
        rec.record(TensorNames.residMid(index), h);
        INDArray out = h.add(moe.forward(moeNorm.forward(h, rec), cache.length(), rec)); // [T, D]
        rec.record(TensorNames.residPost(index), out);
        return out;
    }
}
