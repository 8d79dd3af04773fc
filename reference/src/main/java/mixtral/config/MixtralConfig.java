package mixtral.config;

import mixtral.BadInputException;

/**
 * The hyper-parameters of a Mixtral model, whichever file they came from (Hugging Face {@code config.json} or
 * Mistral-native {@code params.json}). Field names follow Hugging Face's keys.
 *
 * @param hiddenSize            D, the width of the residual stream
 * @param intermediateSize      F, the hidden width of each expert's SwiGLU feed-forward network
 * @param numHiddenLayers       L, decoder layers
 * @param numAttentionHeads     H, query heads
 * @param numKeyValueHeads      KV, key/value heads shared by H / KV query heads each (grouped-query attention)
 * @param headDim               Hd, width of one head (D / H in every published Mixtral)
 * @param numLocalExperts       E, experts per layer
 * @param numExpertsPerTok      K, experts each token is routed to
 * @param vocabSize             V
 * @param ropeTheta             base of the rotary position embedding frequencies
 * @param rmsNormEps            epsilon inside RMSNorm
 * @param maxPositionEmbeddings longest sequence the model was trained for
 * @param slidingWindow         attention window in tokens, or null for full causal attention
 * @param tieWordEmbeddings     whether the LM head reuses the embedding matrix
 */
public record MixtralConfig(
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int numLocalExperts,
        int numExpertsPerTok,
        int vocabSize,
        double ropeTheta,
        double rmsNormEps,
        int maxPositionEmbeddings,
        Integer slidingWindow,
        boolean tieWordEmbeddings) {

    /** Checks every value and the relations between them; a failure names the offending key. */
    public MixtralConfig {
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        positive("num_local_experts", numLocalExperts);
        positive("num_experts_per_tok", numExpertsPerTok);
        positive("vocab_size", vocabSize);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw new BadInputException("config: rope_theta must be a positive number, got " + ropeTheta);
        }
        if (!(rmsNormEps > 0) || rmsNormEps >= 1) {
            throw new BadInputException("config: rms_norm_eps must be in (0, 1), got " + rmsNormEps);
        }
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new BadInputException("config: num_attention_heads (" + numAttentionHeads
                    + ") must be a multiple of num_key_value_heads (" + numKeyValueHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new BadInputException("config: head_dim must be even for rotary embeddings, got " + headDim);
        }
        if (numExpertsPerTok > numLocalExperts) {
            throw new BadInputException("config: num_experts_per_tok (" + numExpertsPerTok
                    + ") exceeds num_local_experts (" + numLocalExperts + ")");
        }
        if (slidingWindow != null && slidingWindow <= 0) {
            throw new BadInputException("config: sliding_window must be positive or null, got " + slidingWindow);
        }
    }

    /** Query heads that share one key/value head. */
    public int queriesPerKvHead() {
        return numAttentionHeads / numKeyValueHeads;
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new BadInputException("config: " + key + " must be a positive integer, got " + value);
        }
    }
}
