package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mixtral.config.MixtralConfig;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.RandomWeights;
import org.junit.jupiter.api.Test;

/** Rounding to bf16 and f16 as the hardware formats do: nearest, ties to even, overflow to infinity. */
class RouterPrecisionTest {
    @Test
    void bfloat16KeepsEightSignificantBitsAndRoundsTiesToEven() {
        RouterPrecision p = RouterPrecision.BF16;
        assertEquals(1f, p.round(1f + 0x1p-8f), "halfway between 1 and 1+2^-7: to the even one, 1");
        assertEquals(1f + 0x1p-6f, p.round(1f + 0x1p-7f + 0x1p-8f), "halfway, odd below: up to even");
        assertEquals(1f + 0x1p-7f, p.round(1f + 0x1p-7f + 0x1p-9f), "below halfway: down");
        assertEquals(1f + 0x1p-7f, p.round(1f + 0x1p-8f + 0x1p-12f), "above halfway: up");
        assertEquals(-3.140625f, p.round(-3.14159f));
        assertEquals(Float.POSITIVE_INFINITY, p.round(Float.MAX_VALUE));
        assertTrue(Float.isNaN(p.round(Float.NaN)));
    }

    @Test
    void halfKeepsElevenSignificantBitsAndOverflowsAbove65504() {
        RouterPrecision p = RouterPrecision.F16;
        assertEquals(1f, p.round(1f + 0x1p-11f), "halfway between 1 and 1+2^-10: to even");
        assertEquals(1f + 0x1p-9f, p.round(1f + 0x1p-10f + 0x1p-11f), "halfway, odd below: up to even");
        assertEquals(3.140625f, p.round(3.14159f));
        assertEquals(65504f, p.round(65519f));
        assertEquals(Float.POSITIVE_INFINITY, p.round(65520f));
        assertEquals(0x1p-24f, p.round(0x1p-24f), "the smallest subnormal");
        assertEquals(0f, p.round(0x1p-26f), "below half the smallest subnormal");
    }

    @Test
    void aBf16RouterMovesTheLogitsALittleAndLeavesTheRestOfTheModelAlone() {
        MixtralConfig c = TinyConfigs.gqa();
        MixtralModel model = MixtralModel.load(new RandomWeights(c, 7));
        long[] prompt = {3, 17, 42, 8};
        TraceRecorder f32 = TraceRecorder.all(false);
        TraceRecorder bf16 = TraceRecorder.all(false);
        model.forward(prompt, f32);
        model.with(Intervention.NONE.withRouterPrecision(RouterPrecision.BF16)).forward(prompt, bf16);
        Trace a = f32.toTrace(c);
        Trace b = bf16.toTrace(c);
        assertEquals(a.get(TensorNames.moeNorm(0)), b.get(TensorNames.moeNorm(0)), "what comes before the router");
        double moved = a.get(TensorNames.routerLogits(0)).sub(b.get(TensorNames.routerLogits(0))).amaxNumber().doubleValue();
        assertNotEquals(0.0, moved);
        assertTrue(moved < 0.05, "bf16 operands move logits by about 2^-8 of their size: " + moved);
    }
}
