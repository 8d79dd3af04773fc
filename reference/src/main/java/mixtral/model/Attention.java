package mixtral.model;

import mixtral.config.MixtralConfig;
import mixtral.trace.Recorder;
import mixtral.trace.TensorNames;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Causal grouped-query self-attention: H query heads share KV key/value heads, query head h reading kv head
 * h / (H / KV). Attention is the only part of the model that mixes information across tokens.
 */
final class Attention {
    private final int layer;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final Integer slidingWindow;
    private final Weight wq;   // [H*Hd, D]
    private final Weight wk;   // [KV*Hd, D]
    private final Weight wv;   // [KV*Hd, D]
    private final Weight wo;   // [D, H*Hd]
    private final Rope rope;

    Attention(int layer, MixtralConfig c, Weight wq, Weight wk, Weight wv, Weight wo, Rope rope) {
        this.layer = layer;
        this.heads = c.numAttentionHeads();
        this.kvHeads = c.numKeyValueHeads();
        this.headDim = c.headDim();
        this.slidingWindow = c.slidingWindow();
        this.wq = wq;
        this.wk = wk;
        this.wv = wv;
        this.wo = wo;
        this.rope = rope;
    }

    /** x [T, D], the normalised residual stream of the new tokens -> [T, D]. Appends their keys and values to the cache. */
    INDArray forward(INDArray x, KvCache cache, Recorder rec) {
        int t = (int) x.rows();
        int pos0 = cache.length();
        INDArray q = rope.apply(Blas.linear(x, wq.get()), heads, pos0);     // [T, H*Hd]
        INDArray k = rope.apply(Blas.linear(x, wk.get()), kvHeads, pos0);   // [T, KV*Hd]
        INDArray v = Blas.linear(x, wv.get());                              // [T, KV*Hd]
        INDArray[] past = cache.append(layer, k, v);                  // [S, KV*Hd] each
        int s = (int) past[0].rows();

        // Head by head, as the paper writes it: softmax(q k^T / sqrt(Hd) + causal mask) v, into the head's columns.
        boolean recorded = rec.wants(TensorNames.attnProbs(layer));
        INDArray probs = Nd4j.createUninitialized(DataType.FLOAT, recorded ? heads : 1, t, s);  // [H, T, S], or one head's
        INDArray mixed = Nd4j.createUninitialized(DataType.FLOAT, t, (long) heads * headDim);    // [T, H*Hd]
        for (int h = 0; h < heads; h++) {
            int kv = h / (heads / kvHeads);                 // grouped-query: H / KV query heads share each kv head
            INDArray p = probs.slice(recorded ? h : 0);                                           // [T, S]
            Blas.gemmInto(head(q, h), false, head(past[0], kv), true, p);                        // q k^T
            Ops.softmaxRowsInPlace(p, Math.sqrt(headDim), i -> firstVisible(pos0 + i), i -> pos0 + i);
            Blas.gemmInto(p, false, head(past[1], kv), false, head(mixed, h));                   // probs v: [T, Hd]
        }
        if (recorded) {
            rec.record(TensorNames.attnProbs(layer), probs);
        }
        INDArray out = Blas.linear(mixed, wo.get());                                     // [T, D]
        rec.record(TensorNames.attnOut(layer), out);
        return out;
    }

    /** Head h's columns of a [T, heads*Hd] array: a [T, Hd] view. */
    private INDArray head(INDArray a, int h) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.interval((long) h * headDim, (long) (h + 1) * headDim));
    }

    /**
     * The causal mask: a query at position pos sees the keys at positions firstVisible(pos) to pos, itself included:
     * all earlier ones, or with a sliding window w only the w most recent. The published code adds the most
     * negative float to the scores of the others, so that softmax gives them exactly 0.
     */
    private int firstVisible(int pos) {
        return slidingWindow == null ? 0 : Math.max(0, pos - slidingWindow + 1);
    }
}
