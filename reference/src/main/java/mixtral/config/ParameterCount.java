package mixtral.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameters of a Mixtral model, in all and used per token, by component. A token passes through every weight
 * except the experts it was not routed to, so "active" counts K of the E experts of each layer and all else whole.
 * Counted in exact arithmetic: {@link MixtralConfig} refuses sizes whose count would overflow.
 */
public record ParameterCount(Map<String, Long> total, Map<String, Long> active) {

    public static ParameterCount of(MixtralConfig c) {
        return of(c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(), c.numAttentionHeads(),
                c.numKeyValueHeads(), c.headDim(), c.numLocalExperts(), c.numExpertsPerTok(), c.vocabSize(),
                c.tieWordEmbeddings());
    }

    /** The same from the sizes alone, for the configuration's own check; an ArithmeticException if a count overflows. */
    static ParameterCount of(long d, long f, long layers, long heads, long kvHeads, long headDim, long experts,
                             long perToken, long vocab, boolean tied) {
        long attention = times(layers, Math.addExact(times(d, heads, headDim, 2),       // q_proj, o_proj
                times(d, kvHeads, headDim, 2)));                                          // k_proj, v_proj
        long norms = Math.addExact(times(layers, 2, d), d);                               // two per layer, one final
        long oneExpert = times(3, d, f);                                                  // w1, w2, w3
        long embedding = times(vocab, d);

        Map<String, Long> total = new LinkedHashMap<>();
        total.put("embedding", embedding);
        total.put("attention", attention);
        total.put("router", times(layers, experts, d));
        total.put("experts", times(layers, experts, oneExpert));
        total.put("norms", norms);
        total.put("lm_head", tied ? 0 : embedding);
        Map<String, Long> active = new LinkedHashMap<>(total);
        active.put("experts", times(layers, perToken, oneExpert));
        ParameterCount count = new ParameterCount(Collections.unmodifiableMap(total), Collections.unmodifiableMap(active));
        Math.multiplyExact(count.totalSum(), Float.BYTES);      // and its float32 bytes are a long too
        return count;
    }

    public long totalSum() {
        return total.values().stream().reduce(0L, Math::addExact);
    }

    public long activeSum() {
        return active.values().stream().reduce(0L, Math::addExact);
    }

    private static long times(long... factors) {
        long p = 1;
        for (long x : factors) {
            p = Math.multiplyExact(p, x);
        }
        return p;
    }
}
