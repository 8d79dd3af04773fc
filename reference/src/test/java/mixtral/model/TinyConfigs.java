package mixtral.model;

import mixtral.config.MixtralConfig;

/** Small configurations for tests: every dimension distinct, so a transposed weight cannot go unnoticed. */
public final class TinyConfigs {
    private TinyConfigs() {}

    /** D=24, F=40, L=2, H=4, KV=2, Hd=6, E=8, K=2, V=50. */
    public static MixtralConfig gqa() {
        return new MixtralConfig(24, 40, 2, 4, 2, 6, 8, 2, 50, 1e6, 1e-5, 256, null, false);
    }

    public static MixtralConfig with(MixtralConfig c, int experts, int k, int kvHeads, Integer window) {
        return new MixtralConfig(c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(), c.numAttentionHeads(),
                kvHeads, c.headDim(), experts, k, c.vocabSize(), c.ropeTheta(), c.rmsNormEps(),
                c.maxPositionEmbeddings(), window, c.tieWordEmbeddings());
    }
}
