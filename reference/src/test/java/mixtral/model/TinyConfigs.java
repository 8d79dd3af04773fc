package mixtral.model;

import mixtral.config.MixtralConfig;

/** Small configurations for tests: every dimension distinct, so a transposed weight cannot go unnoticed. */
public final class TinyConfigs {
    private TinyConfigs() {}

    /** D=24, F=40, L=2, H=4, KV=2, Hd=6, E=8, K=2, V=50. */
    public static MixtralConfig gqa() {
        return MixtralConfig.builder()
                .hiddenSize(24).intermediateSize(40).numHiddenLayers(2)
                .numAttentionHeads(4).numKeyValueHeads(2).headDim(6)
                .numLocalExperts(8).numExpertsPerTok(2).vocabSize(50)
                .ropeTheta(1e6).rmsNormEps(1e-5).maxPositionEmbeddings(256)
                .build();
    }

    public static MixtralConfig with(MixtralConfig c, int experts, int k, int kvHeads, Integer window) {
        return c.toBuilder().numLocalExperts(experts).numExpertsPerTok(k).numKeyValueHeads(kvHeads)
                .slidingWindow(window).build();
    }
}
