package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import mixtral.compare.Margins;
import mixtral.model.Intervention;
import mixtral.model.RouterPrecision;
import mixtral.trace.TensorNames;
import mixtral.tutorials.WhatIfRuns.Decision;
import mixtral.tutorials.WhatIfRuns.Ripple;
import org.junit.jupiter.api.Test;

class WhatIfTest {
    private static final long[] ENGLISH = WhatIfRuns.TEXTS.get(0);

    @Test
    void theLossAtTheTrainedKIsThePlainModelsAndAnotherKChangesIt() {
        int k = DemoRun.model().config().numExpertsPerTok();
        double plain = WhatIfRuns.loss(Intervention.NONE);
        assertEquals(plain, WhatIfRuns.loss(Intervention.NONE.withTopK(k)), 0.0);
        assertNotEquals(plain, WhatIfRuns.loss(Intervention.NONE.withTopK(1)), 1e-3);
    }

    @Test
    void theTrainedKHasTheLowestLossAndEveryKAboveItALargerOne() {
        double[] byK = WhatIf.lossByK();
        int trained = DemoRun.model().config().numExpertsPerTok();
        for (int k = 1; k <= byK.length; k++) {
            assertTrue(k == trained || byK[k - 1] > byK[trained - 1], "k = " + k);
            assertTrue(k <= trained || byK[k - 1] > byK[k - 2], "the loss must grow from k = " + (k - 1) + " to " + k);
        }
    }

    @Test
    void topKOfEveryExpertWeightsEachByItsSoftmaxOverAllRouterLogits() {
        int e = DemoRun.model().config().numLocalExperts();
        WhatIfRuns.Run dense = WhatIfRuns.run(ENGLISH, Intervention.NONE.withTopK(e));
        WhatIfRuns.Run plain = WhatIfRuns.run(ENGLISH, Intervention.NONE);
        for (int l = 0; l < DemoRun.model().config().numHiddenLayers(); l++) {
            float[][] probs = dense.routing().get(TensorNames.routerProbs(l)).toFloatMatrix();   // [T, E]
            long[][] experts = dense.experts(l);
            float[][] w = dense.weights(l);
            float[][] plainWeights = plain.weights(l);
            for (int t = 0; t < ENGLISH.length; t++) {
                assertEquals(e, experts[t].length);
                for (int j = 0; j < e; j++) {
                    assertEquals(probs[t][(int) experts[t][j]], w[t][j], 1e-6, "layer " + l + " token " + t);
                }
                // the control: with the trained K the weights are renormalised over two, not the probabilities
                assertNotEquals(probs[t][(int) plain.experts(l)[t][0]], plainWeights[t][0], 1e-6);
            }
        }
    }

    @Test
    void aDroppedExpertIsNeverChosen() {
        WhatIfRuns.Run plain = WhatIfRuns.run(ENGLISH, Intervention.NONE);
        int layers = DemoRun.model().config().numHiddenLayers();
        int expert = (int) plain.experts(0)[1][0];
        assertTrue(chooses(plain, 0, expert), "the control: the plain model does choose that expert");
        assertFalse(chooses(WhatIfRuns.run(ENGLISH, Intervention.NONE.withDropped(0, expert)), 0, expert));
        WhatIfRuns.Run everywhere = WhatIfRuns.run(ENGLISH, Intervention.NONE.withDropped(Intervention.EVERY_LAYER, expert));
        for (int l = 0; l < layers; l++) {
            assertFalse(chooses(everywhere, l, expert), "layer " + l + " chose the dropped expert " + expert);
        }
    }

    private static boolean chooses(WhatIfRuns.Run run, int layer, int expert) {
        return Arrays.stream(run.experts(layer)).flatMapToLong(Arrays::stream).anyMatch(x -> x == expert);
    }

    @Test
    void theCostliestDropsAreInTheFirstLayerAndAnExpertAlmostNoTokenChoosesCostsAlmostNothing() {
        List<WhatIf.Cell> cells = WhatIf.cells();
        assertEquals(0, cells.get(0).layer());
        assertEquals(0, cells.get(1).layer());
        WhatIf.Cell worst = cells.get(0);
        assertTrue(cells.stream().filter(c -> c.layer() == worst.layer()).allMatch(c -> c.load() <= worst.load()),
                "the costliest expert is the busiest of its layer");
        assertTrue(cells.stream().filter(c -> c.load() < 0.01).allMatch(c -> Math.abs(c.increase()) < 0.01));
        assertTrue(cells.stream().anyMatch(c -> c.load() < 0.01), "the lesson's claim needs such an expert");
    }

    @Test
    void forcingATokenChangesNothingBeforeItAndItsOwnRoutingAtThatLayerOnly() {
        Ripple r = WhatIf.ripple();
        for (int l = 0; l < r.changed().length; l++) {
            for (int t = 0; t < r.token(); t++) {
                assertFalse(r.changed()[l][t], "layer " + l + " token " + t + " is before the forced token");
                // Not exactly 0: ND4J's threads may sum the same floats in another order (seen: 2.8e-15).
                assertEquals(0.0, r.kl()[t], 1e-12, "token " + t + " is before the forced token");
            }
        }
        for (int t = 0; t < r.tokens().length; t++) {
            assertEquals(t == r.token(), r.changed()[r.layer()][t], "token " + t + " at the forced layer");
        }
        assertTrue(r.kl()[r.token()] > 1, "sending a token to its router's last two choices must move its prediction");
    }

    @Test
    void aBf16RouterFlipsOnlyNearTiesAndAFloat32RouterFlipsNothing() {
        List<Decision> bf16 = WhatIfRuns.decisions(WhatIf.BF16);
        assertTrue(bf16.stream().anyMatch(Decision::flipped), "the lesson needs a flip to read");
        bf16.stream().filter(Decision::flipped).forEach(d -> assertTrue(d.margin() < 0.01, d.toString()));
        assertTrue(WhatIfRuns.decisions(Intervention.NONE.withRouterPrecision(RouterPrecision.F32)).stream()
                .noneMatch(Decision::flipped));
    }

    @Test
    void theLossOfUniformLogitsIsTheLogOfTheVocabularyAndKlOfADistributionWithItselfIsZero() {
        float[] uniform = new float[4000];
        assertEquals(-Math.log(4000), Margins.logSoftmax(uniform)[17], 1e-12);
        float[] peaked = uniform.clone();
        peaked[3] = 5;
        assertEquals(0.0, Margins.kl(peaked, peaked), 1e-12);
        assertTrue(Margins.kl(peaked, uniform) > 0.1);
        assertTrue(Margins.sameSet(new long[] {1, 2}, new long[] {2, 1}));
        assertFalse(Margins.sameSet(new long[] {1, 2}, new long[] {1, 3}));
    }
}
