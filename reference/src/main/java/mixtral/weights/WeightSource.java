package mixtral.weights;

import mixtral.config.MixtralConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The weights of a Mixtral model as float32 arrays, whatever file layout or dtype they were stored in. Linear weights
 * are {@code [out, in]} as PyTorch stores them; query and key rows are in the Hugging Face (rotate-half) RoPE order.
 * Shape legend: D hidden, H heads, KV kv heads, Hd head dim, F expert hidden, E experts, V vocab.
 */
public interface WeightSource {
    MixtralConfig config();

    /** [V, D] */
    INDArray embedding();

    /** Rows {@code ids} of the embedding, [T, D]; a source that can read single rows overrides this. */
    default INDArray embeddingRows(int[] ids) {
        return Nd4j.pullRows(embedding(), 1, ids);
    }

    /**
     * A hint that decoder layer {@code layer}'s weights are needed next ({@code layer} = the number of layers: the
     * final norm and LM head); returns at once. A source on disk starts bringing their bytes in meanwhile.
     */
    default void readAhead(int layer) {}

    /**
     * A hint that no token of the current forward pass chose {@code expert} at {@code layer}; returns at once. A source
     * reading ahead skips that expert's bytes if it has not read them yet.
     */
    default void notNeeded(int layer, int expert) {}

    /** [D] */
    INDArray finalNorm();

    /** [V, D]; the embedding itself when the configuration ties them. */
    INDArray lmHead();

    /** [D] RMSNorm weight before attention ({@code input_layernorm}). */
    INDArray attnNorm(int layer);

    /** [H*Hd, D] */
    INDArray wq(int layer);

    /** [KV*Hd, D] */
    INDArray wk(int layer);

    /** [KV*Hd, D] */
    INDArray wv(int layer);

    /** [D, H*Hd] */
    INDArray wo(int layer);

    /** [D] RMSNorm weight before the MoE block ({@code post_attention_layernorm}). */
    INDArray moeNorm(int layer);

    /** [E, D] the router. */
    INDArray gate(int layer);

    /** [F, D] gate projection of an expert's SwiGLU. */
    INDArray w1(int layer, int expert);

    /** [D, F] down projection. */
    INDArray w2(int layer, int expert);

    /** [F, D] up projection. */
    INDArray w3(int layer, int expert);
}
