package mixtral.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import mixtral.BadInputException;
import mixtral.cli.Main;
import mixtral.config.MixtralConfig;
import mixtral.model.MixtralModel;
import mixtral.model.TinyConfigs;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.RandomWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class TraceComparisonTest {
    private static final MixtralConfig CONFIG = TinyConfigs.gqa();
    private static final Trace TRACE = traceOf(new long[] {3, 17, 42, 8, 8, 0, 49, 23});

    private static Trace traceOf(long[] tokens) {
        TraceRecorder rec = TraceRecorder.all(true);
        MixtralModel.load(new RandomWeights(CONFIG, 7)).forward(tokens, rec);
        return rec.toTrace(CONFIG);
    }

    /** A copy of the trace with the named tensor changed by {@code edit}. */
    private static Trace edited(Trace t, String name, Consumer<INDArray> edit) {
        Map<String, INDArray> copy = new LinkedHashMap<>();
        t.tensors().forEach((k, v) -> copy.put(k, v.dup()));
        edit.accept(copy.get(name));
        return new Trace(copy, t.metadata());
    }

    @Test
    void aTraceAgreesWithItself() {
        Report r = TraceComparison.compare(TRACE, TRACE, Tolerances.DEFAULT);
        assertTrue(r.passed());
        assertEquals(null, r.first());
        assertEquals(1.0, r.logits().top1Agreement());
        assertEquals(3 + 10 * 2, r.tensors().size(), "every float tensor compared");
    }

    @Test
    void aPerturbedTensorIsTheFirstDivergenceWithItsToken() {
        Trace bad = edited(TRACE, TensorNames.moeOut(1), a -> a.putScalar(5, 3, a.getDouble(5, 3) + 0.01));
        Report r = TraceComparison.compare(TRACE, bad, Tolerances.DEFAULT);
        assertFalse(r.passed());
        assertEquals(TensorNames.moeOut(1), r.first().tensor());
        assertEquals(1, r.first().layer());
        assertEquals(5, r.first().token());
        assertEquals(0.01, r.tensors().stream().filter(d -> d.name().equals(TensorNames.moeOut(1)))
                .findFirst().orElseThrow().maxAbsError(), 1e-6);
    }

    @Test
    void aFlipWithALargeMarginFails() {
        Trace flipped = edited(TRACE, TensorNames.selectedExperts(0), a -> a.putScalar(2, 1, otherExpert(a, 2)));
        Report r = TraceComparison.compare(TRACE, flipped, Tolerances.DEFAULT);
        assertFalse(r.passed());
        assertEquals(1, r.flips().size());
        assertFalse(r.flips().get(0).tie());
        assertEquals(TensorNames.selectedExperts(0), r.first().tensor());
        assertEquals(2, r.first().token());
    }

    @Test
    void aFlipBelowTheTieMarginIsReportedButPasses() {
        Trace flipped = edited(TRACE, TensorNames.selectedExperts(0), a -> a.putScalar(2, 1, otherExpert(a, 2)));
        Report r = TraceComparison.compare(TRACE, flipped, new Tolerances(1e-4, 1e-4, 100));
        assertTrue(r.passed());
        assertTrue(r.flips().get(0).tie());
    }

    @Test
    void differencesAfterATieDoNotFail() {
        Trace flipped = edited(TRACE, TensorNames.selectedExperts(0), a -> a.putScalar(2, 1, otherExpert(a, 2)));
        Trace alsoOff = edited(flipped, TensorNames.LOGITS, a -> a.addi(1));
        Report r = TraceComparison.compare(TRACE, alsoOff, new Tolerances(1e-4, 1e-4, 100));
        assertTrue(r.passed());
        assertTrue(r.tensors().stream().anyMatch(d -> d.name().equals(TensorNames.LOGITS) && !d.within() && d.afterTie()));
    }

    @Test
    void routingWeightsAreComparedExpertByExpert() {
        Trace swapped = edited(edited(TRACE, TensorNames.selectedExperts(1), TraceComparisonTest::swapColumns),
                TensorNames.routingWeights(1), TraceComparisonTest::swapColumns);
        assertTrue(TraceComparison.compare(TRACE, swapped, Tolerances.DEFAULT).passed());
    }

    @Test
    void tracesOfDifferentTokensCannotBeCompared() {
        Trace other = traceOf(new long[] {3, 17, 42, 8, 8, 0, 49, 24});
        BadInputException e = assertThrows(BadInputException.class,
                () -> TraceComparison.compare(TRACE, other, Tolerances.DEFAULT));
        assertTrue(e.getMessage().contains("different token sequences"), e.getMessage());
    }

    @Test
    void compareCommandExitsZeroOneOrTwo(@TempDir Path dir) {
        TRACE.write(dir.resolve("a.safetensors"));
        edited(TRACE, TensorNames.LOGITS, a -> a.addi(0.5)).write(dir.resolve("b.safetensors"));
        assertEquals(0, Main.run("compare", dir.resolve("a.safetensors").toString(), dir.resolve("a.safetensors").toString()));
        assertEquals(1, Main.run("compare", dir.resolve("a.safetensors").toString(), dir.resolve("b.safetensors").toString()));
        assertEquals(0, Main.run("compare", "--atol", "1", dir.resolve("a.safetensors").toString(),
                dir.resolve("b.safetensors").toString()));
        assertEquals(2, Main.run("compare", dir.resolve("a.safetensors").toString(), dir.resolve("none").toString()));
    }

    private static long otherExpert(INDArray selected, int token) {
        for (long e = 0; e < 8; e++) {
            if (e != selected.getLong(token, 0) && e != selected.getLong(token, 1)) {
                return e;
            }
        }
        throw new IllegalStateException();
    }

    private static void swapColumns(INDArray a) {
        INDArray first = a.getColumn(0).dup();
        a.putColumn(0, a.getColumn(1).dup());
        a.putColumn(1, first);
    }
}
