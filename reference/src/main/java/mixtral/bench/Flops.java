package mixtral.bench;

import mixtral.config.MixtralConfig;

/**
 * Floating-point operations of one forward pass (a multiply-add counts 2), from the matrix multiplies alone: the
 * element-wise work (norms, RoPE, softmax, SiLU) is a few percent at these sizes.
 */
final class Flops {
    private Flops() {}

    /** t new tokens at positions past .. past+t-1: every query scores all past+t keys, as the published code does. */
    static double forward(MixtralConfig c, int t, int past) {
        double d = c.hiddenSize();
        double q = (double) c.numAttentionHeads() * c.headDim();
        double kv = (double) c.numKeyValueHeads() * c.headDim();
        double s = past + t;
        double projections = 2 * d * (q + 2 * kv) + 2 * q * d;                         // wq, wk, wv, wo
        double scores = 2 * 2 * q * s;                                                  // q.k and probs.v
        double router = 2 * d * c.numLocalExperts();
        double experts = c.numExpertsPerTok() * 3 * 2 * d * c.intermediateSize();      // w1, w3, w2 of K experts
        double perLayer = projections + scores + router + experts;
        return t * (c.numHiddenLayers() * perLayer + 2 * d * c.vocabSize());
    }
}
