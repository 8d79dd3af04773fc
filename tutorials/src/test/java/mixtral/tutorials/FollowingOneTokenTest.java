package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            assertTrue(s.margin() >= 0);
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
