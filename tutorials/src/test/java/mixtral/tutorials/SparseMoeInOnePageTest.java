package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertEquals;

import mixtral.config.MixtralConfig;
import mixtral.config.ParameterCount;
import org.junit.jupiter.api.Test;

class SparseMoeInOnePageTest {
    @Test
    void mixtral8x7bHas46_7BTotalAnd12_9BActiveParameters() {
        ParameterCount p = ParameterCount.of(SparseMoeInOnePage.mixtral8x7b());
        assertEquals(46_702_792_704L, p.totalSum());
        assertEquals(12_879_925_248L, p.activeSum());
        assertEquals("46.7B", new SparseMoeInOnePage().numbers().get("total"));
        assertEquals("12.9B", new SparseMoeInOnePage().numbers().get("active"));
    }

    @Test
    void theDenseCounterpartHasOneExpertPerLayerAndNoRouter() {
        MixtralConfig c = SparseMoeInOnePage.mixtral8x7b();
        ParameterCount p = ParameterCount.of(c);
        long oneExpertPerLayer = (long) c.numHiddenLayers() * 3 * c.hiddenSize() * c.intermediateSize();
        assertEquals(p.totalSum() - p.total().get("router") - 7 * oneExpertPerLayer,
                SparseMoeInOnePage.denseCounterpart(c));
    }

    @Test
    void matmulFlopsAreTwicePerWeightUsedExceptTheEmbeddingAndNorms() {
        ParameterCount p = ParameterCount.of(SparseMoeInOnePage.mixtral8x7b());
        long used = p.activeSum() - p.active().get("embedding") - p.active().get("norms");
        assertEquals(2 * used, SparseMoeInOnePage.matmulFlopsPerToken(p, p.active()));
    }
}
