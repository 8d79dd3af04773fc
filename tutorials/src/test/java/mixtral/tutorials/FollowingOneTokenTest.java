package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FollowingOneTokenTest {
    @Test
    void theTokenIsFollowedThroughEveryLayerWithTwoExpertsWhoseWeightsSumToOne() {
        FollowingOneToken.Followed f = FollowingOneToken.follow();
        assertEquals(DemoRun.model().config().numHiddenLayers(), f.steps().size());
        for (FollowingOneToken.Step s : f.steps()) {
            assertEquals(2, s.experts().length);
            assertTrue(s.experts()[0] != s.experts()[1]);
            assertEquals(1.0, s.weights()[0] + s.weights()[1], 1e-6);
            assertTrue(s.weights()[0] >= s.weights()[1], "the first expert has the larger weight");
        }
    }

    /**
     * The margin (K-th minus (K+1)-th router logit) read back from the router probabilities of the same trace: logits
     * differ by the log of their softmax ratio, so it is ln(weakest chosen expert's probability / strongest other's).
     */
    @Test
    void eachLayersMarginIsTheLogOfTheWeakestChosenOverTheStrongestOtherProbability() {
        FollowingOneToken.Followed f = FollowingOneToken.follow();
        for (FollowingOneToken.Step s : f.steps()) {
            float[] p = f.probs()[s.layer()];
            double weakestChosen = 1;
            double strongestOther = 0;
            for (int e = 0; e < p.length; e++) {
                final long expert = e;
                if (Arrays.stream(s.experts()).anyMatch(x -> x == expert)) {
                    weakestChosen = Math.min(weakestChosen, p[e]);
                } else {
                    strongestOther = Math.max(strongestOther, p[e]);
                }
            }
            // float softmax: 2.4e-7 apart in layer 0
            assertEquals(Math.log(weakestChosen / strongestOther), s.margin(), 1e-5, "layer " + s.layer());
        }
    }

    @Test
    void eachLayerAddsToTheResidualStreamAtMostTheNormsOfWhatItAdds() {
        FollowingOneToken.Followed f = FollowingOneToken.follow();
        double before = f.embed();
        for (FollowingOneToken.Step s : f.steps()) {
            assertTrue(s.residMid() <= before + s.attnOut() + 1e-4, "triangle inequality after attention");
            assertTrue(s.residPost() <= s.residMid() + s.moeOut() + 1e-4, "triangle inequality after the MoE");
            before = s.residPost();
        }
    }
}
