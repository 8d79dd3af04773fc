package mixtral.evidence;

/**
 * How undecided the router was for one token at one layer: the Shannon entropy, in bits, of the softmax over all E
 * router logits. 0 bits when one expert has all the probability, log2(E) when every expert is equally likely (3 bits
 * for E = 8). The one definition the inspector serves ({@code entropy} of a routing cell) and its page draws.
 */
public final class RouterEntropy {
    private static final double LN2 = Math.log(2);

    private RouterEntropy() {}

    /**
     * Entropy in bits of softmax(logits) [E], computed in double from the logits themselves, so a probability that
     * rounds to 0 in float32 still counts, and shifting every logit by one constant changes nothing.
     */
    public static double bits(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float z : logits) {
            max = Math.max(max, z);
        }
        double sum = 0;
        for (float z : logits) {
            sum += Math.exp(z - max);
        }
        double logSum = Math.log(sum);
        double nats = 0;
        for (float z : logits) {
            double logP = z - max - logSum;
            nats -= Math.exp(logP) * logP;
        }
        return Math.max(0, nats / LN2);
    }
}
