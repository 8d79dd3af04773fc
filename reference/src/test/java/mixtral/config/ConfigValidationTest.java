package mixtral.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import mixtral.BadInputException;
import mixtral.model.TinyConfigs;
import mixtral.weights.Layout;
import org.junit.jupiter.api.Test;

/** MixtralConfig refuses every impossible value with one line naming the key and the value. */
class ConfigValidationTest {
    private static String refusal(UnaryOperator<MixtralConfig.Builder> edit) {
        return assertThrows(BadInputException.class, () -> edit.apply(TinyConfigs.gqa().toBuilder()).build())
                .getMessage();
    }

    @Test
    void everyImpossibleValueIsRefusedByKeyAndValue() {
        Map<String, UnaryOperator<MixtralConfig.Builder>> cases = new LinkedHashMap<>();
        cases.put("config: hidden_size must be a positive integer, got 0", b -> b.hiddenSize(0));
        cases.put("config: intermediate_size must be a positive integer, got -1", b -> b.intermediateSize(-1));
        cases.put("config: num_hidden_layers must be a positive integer, got 0", b -> b.numHiddenLayers(0));
        cases.put("config: num_attention_heads must be a positive integer, got 0", b -> b.numAttentionHeads(0));
        cases.put("config: num_key_value_heads must be a positive integer, got 0", b -> b.numKeyValueHeads(0));
        cases.put("config: head_dim must be a positive integer, got 0", b -> b.headDim(0));
        cases.put("config: num_local_experts must be a positive integer, got 0", b -> b.numLocalExperts(0));
        cases.put("config: num_experts_per_tok must be a positive integer, got 0", b -> b.numExpertsPerTok(0));
        cases.put("config: vocab_size must be a positive integer, got 0", b -> b.vocabSize(0));
        cases.put("config: max_position_embeddings must be a positive integer, got 0",
                b -> b.maxPositionEmbeddings(0));
        cases.put("config: rope_theta must be a positive number, got Infinity",
                b -> b.ropeTheta(Double.POSITIVE_INFINITY));
        cases.put("config: rms_norm_eps must be in (0, 1), got 1.0", b -> b.rmsNormEps(1));
        cases.put("config: num_attention_heads (4) must be a multiple of num_key_value_heads (3)",
                b -> b.numKeyValueHeads(3));
        cases.put("config: head_dim must be even for rotary embeddings, got 5", b -> b.headDim(5));
        cases.put("config: num_experts_per_tok (9) exceeds num_local_experts (8)", b -> b.numExpertsPerTok(9));
        cases.put("config: sliding_window must be positive or null, got 0", b -> b.slidingWindow(0));
        cases.forEach((message, edit) -> assertEquals(message, refusal(edit)));
    }

    @Test
    void sizesAreHeldToArithmeticLimitsBeforeAnythingIsBuilt() {
        assertEquals("config: num_hidden_layers=1000000000 and num_local_experts=8 make 31,000,000,003 weight "
                + "tensors; at most 131,072 are supported (Mixtral 8x22B has 1,739)", refusal(b -> b.numHiddenLayers(1_000_000_000)));
        assertEquals("config: num_attention_heads x head_dim = 65536 x 65536 = 4294967296 rows exceed the largest "
                + "array dimension, 2^31-1", refusal(b -> b.numAttentionHeads(1 << 16).numKeyValueHeads(1).headDim(1 << 16)));
        assertTrue(refusal(b -> b.hiddenSize(Integer.MAX_VALUE).intermediateSize(Integer.MAX_VALUE))
                .endsWith("make more than 2^61 parameters, whose float32 bytes overflow a 64-bit count"));
    }

    /** The tensor limit is where it says: one layer fewer than too many is accepted. */
    @Test
    void justInsideTheLimitsAConfigurationIsAccepted() {
        int layers = (MixtralConfig.MAX_WEIGHT_TENSORS - 3) / (7 + 3 * 8);
        MixtralConfig many = TinyConfigs.gqa().toBuilder().numHiddenLayers(layers).build();
        assertTrue(many.weightTensors() <= MixtralConfig.MAX_WEIGHT_TENSORS);
        assertThrows(BadInputException.class, () -> many.toBuilder().numHiddenLayers(layers + 1).build());
    }

    @Test
    void weightTensorsCountsWhatEitherLayoutLists() {
        for (boolean tied : new boolean[] {false, true}) {
            MixtralConfig c = TinyConfigs.gqa().toBuilder().tieWordEmbeddings(tied).build();
            for (Layout layout : Layout.values()) {
                assertEquals(layout.expectedTensors(c).size(), c.weightTensors(), layout + (tied ? ", tied" : ""));
            }
        }
    }

    @Test
    void aNumberTheBuilderWasNotGivenIsRefusedByItsKey() {
        BadInputException e = assertThrows(BadInputException.class, () -> MixtralConfig.builder()
                .hiddenSize(24).intermediateSize(40).numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2)
                .headDim(6).numLocalExperts(8).numExpertsPerTok(2).ropeTheta(1e6).rmsNormEps(1e-5)
                .maxPositionEmbeddings(256).build());
        assertEquals("config: vocab_size must be a positive integer, got 0", e.getMessage());
    }

    @Test
    void toBuilderChangesOnlyWhatItIsTold() {
        MixtralConfig c = ConfigRoundTripTest.distinctive();
        assertEquals(c, c.toBuilder().build());
        MixtralConfig fewer = c.toBuilder().numHiddenLayers(1).build();
        assertEquals(1, fewer.numHiddenLayers());
        assertEquals(c, fewer.toBuilder().numHiddenLayers(c.numHiddenLayers()).build());
    }
}
