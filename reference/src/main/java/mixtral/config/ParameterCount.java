package mixtral.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameters of a Mixtral model, in all and used per token, by component. A token passes through every weight
 * except the experts it was not routed to, so "active" counts K of the E experts of each layer and all else whole.
 */
public record ParameterCount(Map<String, Long> total, Map<String, Long> active) {

    public static ParameterCount of(MixtralConfig c) {
        long d = c.hiddenSize();
        long layers = c.numHiddenLayers();
        long attention = layers * (d * c.numAttentionHeads() * c.headDim() * 2      // q_proj, o_proj
                + d * c.numKeyValueHeads() * c.headDim() * 2);                     // k_proj, v_proj
        long norms = layers * 2 * d + d;                                           // two per layer, one final
        long router = layers * c.numLocalExperts() * d;
        long oneExpert = 3 * d * c.intermediateSize();                             // w1, w2, w3
        long embedding = (long) c.vocabSize() * d;
        long lmHead = c.tieWordEmbeddings() ? 0 : embedding;

        Map<String, Long> total = new LinkedHashMap<>();
        total.put("embedding", embedding);
        total.put("attention", attention);
        total.put("router", router);
        total.put("experts", layers * c.numLocalExperts() * oneExpert);
        total.put("norms", norms);
        total.put("lm_head", lmHead);
        Map<String, Long> active = new LinkedHashMap<>(total);
        active.put("experts", layers * c.numExpertsPerTok() * oneExpert);
        return new ParameterCount(Collections.unmodifiableMap(total), Collections.unmodifiableMap(active));
    }

    public long totalSum() {
        return total.values().stream().mapToLong(Long::longValue).sum();
    }

    public long activeSum() {
        return active.values().stream().mapToLong(Long::longValue).sum();
    }
}
