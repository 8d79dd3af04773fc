package mixtral.tutorials;

import java.util.List;

/** The lessons, in reading order. */
public final class Lessons {
    private Lessons() {}

    public static List<Lesson> all() {
        return List.of(
                new SparseMoeInOnePage(),
                new SparseMoeInOnePage.InFrench(),
                new TheRouter(),
                new ExpertByHand(),
                new FollowingOneToken(),
                new RoutingStatistics(),
                new AttentionAndCache(),
                new RegressionTesting(),
                new InspectorTour(),
                new WhatExpertsLearned(),
                new WhatIf());
    }
}
