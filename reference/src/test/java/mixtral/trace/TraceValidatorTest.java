package mixtral.trace;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.model.Intervention;
import mixtral.model.MixtralModel;
import mixtral.model.TinyConfigs;
import mixtral.trace.TraceValidator.Strictness;
import mixtral.weights.RandomWeights;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One validator, two strictnesses: each mutation below is refused where the strictness holds it, with a line naming
 * what is wrong, and (where SUBSET leaves it to the comparison) accepted at SUBSET.
 */
class TraceValidatorTest {
    private static final MixtralConfig CONFIG = TinyConfigs.gqa();
    private static final MixtralModel MODEL = MixtralModel.load(new RandomWeights(CONFIG, 5));
    private static final long[] TOKENS = {1, 7, 3, 9, 4};
    private static final int T = TOKENS.length;
    private static final Trace GOOD = traceOf(Intervention.NONE);

    private static Trace traceOf(Intervention iv) {
        TraceRecorder rec = TraceRecorder.all(true);
        MODEL.with(iv).forward(TOKENS, rec);
        return rec.toTrace(CONFIG);
    }

    private static Trace with(Trace t, String name, INDArray value) {
        Map<String, INDArray> copy = new LinkedHashMap<>(t.tensors());
        if (value == null) {
            copy.remove(name);
        } else {
            copy.put(name, value);
        }
        return new Trace(copy, t.metadata());
    }

    private static String refused(Trace t, Strictness s) {
        return assertThrows(BadInputException.class, () -> TraceValidator.check(t, "trace B", CONFIG, s)).getMessage();
    }

    private static void accepted(Trace t, Strictness s) {
        assertDoesNotThrow(() -> TraceValidator.check(t, "trace B", CONFIG, s));
    }

    private static void assertNames(String message, String... phrases) {
        for (String p : phrases) {
            assertTrue(message.contains(p), "'" + p + "' in: " + message);
        }
        assertEquals(1, message.lines().count(), message);
    }

    @Test
    void aTraceOfThisModelPassesBothStrictnesses() {
        accepted(GOOD, Strictness.EXACT);
        accepted(GOOD, Strictness.SUBSET);
        accepted(traceOf(Intervention.NONE).withMetadata("unrelated", "x"), Strictness.EXACT);
    }

    @Test
    void aWrongWidthIsRefusedExactlyAndLeftToTheComparisonOtherwise() {
        Trace wide = with(GOOD, TensorNames.EMBED, Nd4j.zeros(DataType.FLOAT, T, CONFIG.hiddenSize() + 1));
        assertNames(refused(wide, Strictness.EXACT), "trace B: tensor 'embed' has shape [5, " + (CONFIG.hiddenSize() + 1)
                + "]", "this model's trace of 5 tokens has [5, " + CONFIG.hiddenSize() + "]");
        accepted(wide, Strictness.SUBSET);
    }

    @Test
    void aWrongRankOrTokenCountIsRefusedAtBothStrictnesses() {
        Trace flat = with(GOOD, TensorNames.LOGITS, Nd4j.zeros(DataType.FLOAT, T * CONFIG.vocabSize()));
        Trace shortRouter = with(GOOD, TensorNames.routerLogits(1), Nd4j.zeros(DataType.FLOAT, T - 2,
                CONFIG.numLocalExperts()));
        Trace empty = with(GOOD, TensorNames.moeOut(0), Nd4j.zeros(DataType.FLOAT, 0, CONFIG.hiddenSize()));
        for (Strictness s : Strictness.values()) {
            assertNames(refused(flat, s), "tensor 'logits'", "expected [T, V] (2 dimensions");
            assertNames(refused(shortRouter, s), "covers 5 tokens");
            assertNames(refused(empty, s), "is empty (shape [0, " + CONFIG.hiddenSize() + "])");
        }
    }

    @Test
    void aWrongDtypeIsRefusedExactly() {
        Trace floatTokens = with(GOOD, TensorNames.TOKENS, Nd4j.createFromArray(1f, 7f, 3f, 9f, 4f));
        assertNames(refused(floatTokens, Strictness.EXACT), "tensor 'tokens' is F32; the trace format stores it as I64");
        Trace floatExperts = with(GOOD, TensorNames.selectedExperts(0),
                GOOD.get(TensorNames.selectedExperts(0)).castTo(DataType.FLOAT));
        assertNames(refused(floatExperts, Strictness.EXACT), "is F32; the trace format stores it as I64");
        accepted(floatExperts, Strictness.SUBSET);
    }

    @Test
    void duplicateExpertsAreRefusedExactlyAndADivergenceOtherwise() {
        INDArray twice = GOOD.get(TensorNames.selectedExperts(1)).dup();
        twice.putScalar(3, 1, twice.getLong(3, 0));
        Trace dup = with(GOOD, TensorNames.selectedExperts(1), twice);
        assertNames(refused(dup, Strictness.EXACT), "'layers.1.moe.selected_experts' at token 3",
                "expected distinct experts 0..7");
        accepted(dup, Strictness.SUBSET);
    }

    @Test
    void anExpertOutOfRangeOrFractionalIsRefusedAtBothStrictnesses() {
        INDArray nine = GOOD.get(TensorNames.selectedExperts(0)).dup();
        nine.putScalar(2, 0, 8);
        INDArray half = GOOD.get(TensorNames.selectedExperts(0)).castTo(DataType.FLOAT).dup();
        half.putScalar(4, 1, 0.5);
        for (Strictness s : Strictness.values()) {
            assertNames(refused(with(GOOD, TensorNames.selectedExperts(0), nine), s),
                    "at token 2 chooses expert 8, not one of 0..7");
        }
        assertNames(refused(with(GOOD, TensorNames.selectedExperts(0), half), Strictness.SUBSET), "chooses expert 0.5");
    }

    @Test
    void aTokenIdOutsideTheVocabularyIsRefusedExactly() {
        Trace beyond = with(GOOD, TensorNames.TOKENS, Nd4j.createFromArray(1L, 7L, (long) CONFIG.vocabSize(), 9L, 4L));
        assertNames(refused(beyond, Strictness.EXACT), "token 2 has id " + CONFIG.vocabSize(),
                "outside the vocabulary 0.." + (CONFIG.vocabSize() - 1));
        Trace negative = with(GOOD, TensorNames.TOKENS, Nd4j.createFromArray(1L, -1L, 3L, 9L, 4L));
        assertNames(refused(negative, Strictness.EXACT), "token 1 has id -1");
    }

    @Test
    void theTokensAreRequiredExactlyAndOptionalOtherwise() {
        Trace noTokens = with(GOOD, TensorNames.TOKENS, null);
        assertNames(refused(noTokens, Strictness.EXACT), "the trace has no 'tokens' tensor");
        accepted(noTokens, Strictness.SUBSET);
        Trace routingOnly = new Trace(Map.of(TensorNames.TOKENS, GOOD.get(TensorNames.TOKENS),
                TensorNames.selectedExperts(0), GOOD.get(TensorNames.selectedExperts(0))), GOOD.metadata());
        accepted(routingOnly, Strictness.EXACT);
    }

    @Test
    void anotherKIsRefusedExactlyAndComparedOtherwise() {
        Trace k3 = traceOf(Intervention.NONE.withTopK(3));
        assertNames(refused(k3, Strictness.EXACT), "'layers.0.moe.selected_experts' has shape [5, 3]",
                "this model's trace of 5 tokens has [5, 2]");
        accepted(k3, Strictness.SUBSET);
    }

    @Test
    void namesOutsideTheFormatAndLayersBeyondTheModelAreRefusedExactly() {
        Trace extra = with(GOOD, "layers.0.moe.gate_logits", Nd4j.zeros(DataType.FLOAT, T, 8));
        assertNames(refused(extra, Strictness.EXACT), "'layers.0.moe.gate_logits' is not part of the trace format");
        accepted(extra, Strictness.SUBSET);
        Trace deeper = with(GOOD, TensorNames.selectedExperts(CONFIG.numHiddenLayers()),
                GOOD.get(TensorNames.selectedExperts(0)));
        assertNames(refused(deeper, Strictness.EXACT), "this model has layers 0.." + (CONFIG.numHiddenLayers() - 1));
        accepted(deeper, Strictness.SUBSET);
    }

    @Test
    void anotherModelsConfigurationIsRefusedExactly() {
        MixtralConfig other = TinyConfigs.with(CONFIG, CONFIG.numLocalExperts(), CONFIG.numExpertsPerTok(),
                CONFIG.numKeyValueHeads(), 3);
        Trace foreign = new Trace(GOOD.tensors(), Trace.of(other, Map.of()).metadata());
        assertNames(refused(foreign, Strictness.EXACT), "the trace was made with another model: its config has");
        accepted(foreign, Strictness.SUBSET);
    }
}
