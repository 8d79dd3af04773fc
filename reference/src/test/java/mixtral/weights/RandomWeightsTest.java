package mixtral.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import mixtral.config.MixtralConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class RandomWeightsTest {
    private static final MixtralConfig C = MixtralConfig.builder()
            .hiddenSize(64).intermediateSize(96).numHiddenLayers(2)
            .numAttentionHeads(4).numKeyValueHeads(2).headDim(16)
            .numLocalExperts(8).numExpertsPerTok(2).vocabSize(300)
            .ropeTheta(1e6).rmsNormEps(1e-5).maxPositionEmbeddings(4096)
            .build();

    private static double std(INDArray a) {
        return a.stdNumber().doubleValue();
    }

    @Test
    void huggingFaceInitDrawsEveryMatrixWithStd002AndNormsOfOne() {
        RandomWeights w = RandomWeights.huggingFaceInit(C, 4);
        for (INDArray m : new INDArray[] {w.embedding(), w.lmHead(), w.wq(1), w.wo(0), w.gate(1), w.w1(0, 3), w.w2(1, 7)}) {
            assertEquals(0.02, std(m), 0.002, "as HF's _init_weights with initializer_range 0.02");
            assertEquals(0.0, m.meanNumber().doubleValue(), 0.002);
        }
        assertEquals(1.0, w.attnNorm(0).minNumber().doubleValue());
        assertEquals(1.0, w.finalNorm().maxNumber().doubleValue());
        assertEquals(w.gate(1), RandomWeights.huggingFaceInit(C, 4).gate(1), "deterministic");
    }

    @Test
    void theDefaultScalesByFanInAndTheRouterByItsScale() {
        RandomWeights w = new RandomWeights(C, 4, 4);
        assertEquals(1 / Math.sqrt(64), std(w.wq(0)), 0.01);
        assertEquals(4 / Math.sqrt(64), std(w.gate(0)), 0.05);
    }
}
