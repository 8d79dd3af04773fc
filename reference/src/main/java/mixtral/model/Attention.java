package mixtral.model;

import mixtral.config.MixtralConfig;
import mixtral.trace.Recorder;
import mixtral.trace.TensorNames;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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

        // The G = H / KV query heads that share a kv head form one batch: [KV, G*T, Hd] against that head's keys.
        int g = heads / kvHeads;
        INDArray qh = q.reshape('c', t, heads, headDim).permute(1, 0, 2).dup('c')
                .reshape('c', kvHeads, (long) g * t, headDim);                                // [KV, G*T, Hd]
        INDArray kh = past[0].reshape('c', s, kvHeads, headDim).permute(1, 0, 2);            // [KV, S, Hd]
        INDArray vh = past[1].reshape('c', s, kvHeads, headDim).permute(1, 0, 2);            // [KV, S, Hd]

        INDArray scores = Ops.matmul(qh, kh, true).divi(Math.sqrt(headDim));                 // [KV, G*T, S] = [H, T, S]
        scores.reshape('c', heads, (long) t * s).addiRowVector(mask(t, s, pos0));
        INDArray probs = Ops.softmaxRowsInPlace(scores.reshape('c', (long) heads * t, s));     // [H*T, S]
        rec.record(TensorNames.attnProbs(layer), () -> probs.reshape('c', heads, t, s));

        INDArray mixed = Ops.matmul(probs.reshape('c', kvHeads, (long) g * t, s), vh, false)  // [KV, G*T, Hd]
                .reshape('c', heads, t, headDim).permute(1, 0, 2).dup('c')
                .reshape('c', t, (long) heads * headDim);                                      // [T, H*Hd]
        INDArray out = Blas.linear(mixed, wo.get());                                     // [T, D]
        rec.record(TensorNames.attnOut(layer), out);
        return out;
    }

    /**
     * Additive mask [1, T*S]: 0 where query i (at position pos0 + i) may see key j, the most negative float
     * elsewhere (as the published code does). It sees keys at or before its position, and with a sliding window w
     * only the w most recent of them (itself included).
     */
    private INDArray mask(int t, int s, int pos0) {
        float[] m = new float[t * s];
        for (int i = 0; i < t; i++) {
            int pos = pos0 + i;
            for (int j = 0; j < s; j++) {
                boolean visible = j <= pos && (slidingWindow == null || pos - j < slidingWindow);
                m[i * s + j] = visible ? 0f : -Float.MAX_VALUE;
            }
        }
        return Nd4j.create(m, new long[] {1, (long) t * s}, 'c');
    }
}
