package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.model.Intervention.Replay;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.RandomWeights;
import org.junit.jupiter.api.Test;

/** Routing overridden by the user: what each intervention must and must not do. */
class InterventionTest {
    private static final MixtralConfig CONFIG = TinyConfigs.gqa();
    private static final MixtralModel MODEL = MixtralModel.load(new RandomWeights(CONFIG, 7));
    private static final long[] PROMPT = {3, 17, 42, 8, 8, 0, 49, 23, 5, 31};
    private static final Trace PLAIN = run(Intervention.NONE);

    private static Trace run(Intervention iv) {
        TraceRecorder rec = TraceRecorder.all(false);
        MODEL.with(iv).forward(PROMPT, rec);
        return rec.toTrace(CONFIG);
    }

    @Test
    void topKOfAllExpertsGivesTheSoftmaxOverAllRouterLogits() {
        Trace t = run(Intervention.NONE.withTopK(CONFIG.numLocalExperts()));
        for (int l = 0; l < CONFIG.numHiddenLayers(); l++) {
            float[][] probs = t.get(TensorNames.routerProbs(l)).toFloatMatrix();
            float[][] weights = t.get(TensorNames.routingWeights(l)).toFloatMatrix();
            long[][] experts = t.get(TensorNames.selectedExperts(l)).toLongMatrix();
            for (int i = 0; i < PROMPT.length; i++) {
                for (int j = 0; j < experts[i].length; j++) {
                    assertEquals(probs[i][(int) experts[i][j]], weights[i][j], 1e-6, "layer " + l + " token " + i);
                }
            }
        }
    }

    @Test
    void topOneGivesEachTokenOneExpertOfWeightOne() {
        Trace t = run(Intervention.NONE.withTopK(1));
        float[][] w = t.get(TensorNames.routingWeights(0)).toFloatMatrix();
        assertEquals(1, w[0].length);
        assertTrue(Arrays.stream(w).allMatch(r -> r[0] == 1f));
        assertFalse(Arrays.equals(PLAIN.get(TensorNames.LOGITS).data().asFloat(), t.get(TensorNames.LOGITS).data().asFloat()));
    }

    @Test
    void aDroppedExpertIsNeverSelected() {
        int busiest = (int) PLAIN.get(TensorNames.selectedExperts(1)).toLongMatrix()[0][0];
        Trace t = run(Intervention.NONE.withDropped(1, busiest));
        assertTrue(Arrays.stream(t.get(TensorNames.selectedExperts(1)).data().asLong()).noneMatch(e -> e == busiest));
        assertArrayEquals(PLAIN.get(TensorNames.selectedExperts(0)).data().asLong(),
                t.get(TensorNames.selectedExperts(0)).data().asLong(), "layer 0 is left alone");
        Trace everywhere = run(Intervention.NONE.withDropped(Intervention.EVERY_LAYER, busiest));
        for (int l = 0; l < CONFIG.numHiddenLayers(); l++) {
            assertTrue(Arrays.stream(everywhere.get(TensorNames.selectedExperts(l)).data().asLong()).noneMatch(e -> e == busiest));
        }
    }

    @Test
    void forcedExpertsAreUsedInLogitOrderWithThePublishedWeights() {
        Trace t = run(Intervention.NONE.withTopK(3).withForced(0, 3, 5, 1, 6));
        long[] chosen = t.get(TensorNames.selectedExperts(0)).toLongMatrix()[3];
        float[] logits = t.get(TensorNames.routerLogits(0)).toFloatMatrix()[3];
        long[] sorted = chosen.clone();
        Arrays.sort(sorted);
        assertArrayEquals(new long[] {1, 5, 6}, sorted);
        assertTrue(logits[(int) chosen[0]] >= logits[(int) chosen[1]] && logits[(int) chosen[1]] >= logits[(int) chosen[2]]);
        double sum = Arrays.stream(chosen).mapToDouble(e -> Math.exp(logits[(int) e])).sum();
        float[] w = t.get(TensorNames.routingWeights(0)).toFloatMatrix()[3];
        for (int j = 0; j < 3; j++) {
            assertEquals(Math.exp(logits[(int) chosen[j]]) / sum, w[j], 1e-6);
        }
        Trace top3 = run(Intervention.NONE.withTopK(3));
        assertArrayEquals(top3.get(TensorNames.selectedExperts(0)).toLongMatrix()[2],
                t.get(TensorNames.selectedExperts(0)).toLongMatrix()[2], "other tokens are left alone");
    }

    @Test
    void replayingATracesOwnRoutingReproducesItExactly() {
        for (boolean weights : new boolean[] {false, true}) {
            Trace again = run(Intervention.NONE.withReplay(Replay.of(PLAIN, "plain", CONFIG.numHiddenLayers(), weights)));
            PLAIN.tensors().forEach((name, a) -> assertEquals(a, again.get(name), name + " (weights replayed: " + weights + ")"));
        }
    }

    @Test
    void replayingAnotherRoutingChangesWhatFollowsIt() {
        Trace topOne = run(Intervention.NONE.withTopK(1));
        Trace replayed = run(Intervention.NONE.withReplay(Replay.of(topOne, "top1", CONFIG.numHiddenLayers(), false)));
        assertEquals(topOne.get(TensorNames.LOGITS), replayed.get(TensorNames.LOGITS));
    }

    @Test
    void replayedWeightsAreUsedAsRecorded() {
        Trace halves = new Trace(new java.util.LinkedHashMap<>(PLAIN.tensors()), PLAIN.metadata());
        halves.tensors().put(TensorNames.routingWeights(0), PLAIN.get(TensorNames.routingWeights(0)).dup().assign(0.5));
        Trace t = run(Intervention.NONE.withReplay(Replay.of(halves, "halves", CONFIG.numHiddenLayers(), true)));
        assertEquals(0.5, t.get(TensorNames.routingWeights(0)).minNumber().doubleValue());
        assertEquals(0.5, t.get(TensorNames.routingWeights(0)).maxNumber().doubleValue());
    }

    @Test
    void aReplayShorterThanThePromptIsAOneLineError() {
        TraceRecorder rec = TraceRecorder.routing();
        MODEL.forward(Arrays.copyOf(PROMPT, 4), rec);
        Replay short4 = Replay.of(rec.toTrace(CONFIG), "short.safetensors", CONFIG.numHiddenLayers(), false);
        BadInputException e = assertThrows(BadInputException.class,
                () -> MODEL.with(Intervention.NONE.withReplay(short4)).forward(PROMPT, TraceRecorder.routing()));
        assertTrue(e.getMessage().contains("position 4 is beyond"), e.getMessage());
    }

    @Test
    void impossibleInterventionsAreRefusedUpFront() {
        int e = CONFIG.numLocalExperts();
        Intervention[] bad = {
            Intervention.NONE.withTopK(0), Intervention.NONE.withTopK(e + 1),
            Intervention.NONE.withDropped(CONFIG.numHiddenLayers(), 0), Intervention.NONE.withDropped(0, e),
            Intervention.NONE.withForced(0, 1, 2, 2), Intervention.NONE.withForced(0, 1), Intervention.NONE.withForced(0, 1, e),
            Intervention.NONE.withForced(-2, 0, 1, 2), Intervention.NONE.withForced(0, 0, 1, 2, 3),
        };
        Intervention allButOne = Intervention.NONE;
        for (int x = 0; x < e - 1; x++) {
            allButOne = allButOne.withDropped(0, x);
        }
        for (Intervention iv : Arrays.copyOf(bad, bad.length + 1)) {
            Intervention i = iv == null ? allButOne : iv;
            BadInputException ex = assertThrows(BadInputException.class, () -> MODEL.with(i), i.toString());
            assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        }
    }

    @Test
    void noInterventionIsThePlainModel() {
        assertTrue(Intervention.NONE.isNone());
        assertEquals("{}", Intervention.NONE.toJson());
        assertEquals(PLAIN.get(TensorNames.LOGITS), run(Intervention.NONE.withRouterPrecision(RouterPrecision.F32))
                .get(TensorNames.LOGITS));
    }

    @Test
    void theInterventionIsDescribedForTheTracesMetadata() {
        Intervention iv = Intervention.NONE.withTopK(3).withDropped(Intervention.EVERY_LAYER, 2).withForced(1, 0, 4, 5)
                .withRouterPrecision(RouterPrecision.BF16);
        assertEquals("{\"top_k\":3,\"drop_expert\":[\"*:2\"],\"force_experts\":[\"1:0:4,5\"],\"router_precision\":\"bf16\"}",
                iv.toJson());
    }
}
