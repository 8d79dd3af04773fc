package mixtral.tutorials;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The lessons, in reading order. */
public final class Lessons {
    private Lessons() {}

    public static List<Lesson> all() {
        return List.of(
                new SparseMoeInOnePage(),
                new SparseMoeInOnePage.InFrench(),
                new TheRouter(),
                new InspectorTour(),
                new ExpertByHand(),
                new FollowingOneToken(),
                new AttentionAndCache(),
                new RegressionTesting(),
                new RoutingStatistics(),
                new WhatExpertsLearned(),
                new WhatIf());
    }

    /**
     * Everything a lesson's text may mark: the shared {@link Facts} and the lesson's own numbers. A lesson naming one of
     * its numbers like a fact is an error, so that a mark always has one meaning.
     */
    public static Map<String, String> quotable(Map<String, String> ownNumbers) {
        Map<String, String> all = new LinkedHashMap<>(Facts.all());
        for (Map.Entry<String, String> n : ownNumbers.entrySet()) {
            if (Facts.isFact(n.getKey())) {
                throw new IllegalStateException("a lesson computes '" + n.getKey() + "', a name reserved for Facts");
            }
            all.put(n.getKey(), n.getValue());
        }
        return all;
    }
}
