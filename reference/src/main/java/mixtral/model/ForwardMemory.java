package mixtral.model;

import mixtral.config.MixtralConfig;

/**
 * What a forward pass allocates beside the weights, from the sizes alone, so that a run too large for the machine
 * is refused before it starts instead of failing in native code (std::bad_alloc) minutes later. An upper estimate
 * of the largest terms, in bytes of float32; see the shape legend in {@link mixtral.model}.
 *
 * <ul>
 *   <li>one decoder layer at a time (its workspace is reused by the next): attention scores and probabilities
 *       [H, T, S] and the causal mask [T, S] (once on the heap, once native), the projections, and the MoE's
 *       per-expert gathers and hidden activations for the T*K routed token slots;</li>
 *   <li>the KV cache, [S, KV*Hd] keys and values per layer, with room to double (it grows by doubling);</li>
 *   <li>the residual stream and the logits [T, V].</li>
 * </ul>
 */
public final class ForwardMemory {
    private ForwardMemory() {}

    /**
     * @param newTokens T, the tokens this pass runs
     * @param positions the most positions the cache will hold during the run (cached + new, or the whole
     *                  generation), at least T
     */
    public static long bytes(MixtralConfig c, long newTokens, long positions) {
        long t = newTokens;
        long s = Math.max(positions, newTokens);
        long d = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        double attention = (2.0 * c.numAttentionHeads() + 2) * t * s + t * (2.0 * q + 2 * kv + 3 * d);
        double moe = (double) t * c.numExpertsPerTok() * (2 * d + 3.0 * c.intermediateSize()) + (double) t * c.numLocalExperts() * 2;
        double layer = attention + moe;
        double cache = 2.0 * c.numHiddenLayers() * 2 * s * kv;
        double rest = (double) t * (4 * d + c.vocabSize());
        double floats = layer + cache + rest;
        return floats * Float.BYTES >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) (floats * Float.BYTES);
    }
}
