package mixtral.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RoutingTallyTest {
    /** One layer, 2 groups, 4 experts, top-2. */
    private static RoutingTally tally() {
        RoutingTally t = new RoutingTally(1, 2, 4);
        t.add(0, new long[][][] {{{0, 1}, {0, 2}, {3, 0}}});
        t.add(0, new long[][][] {{{0, 1}}});
        t.add(1, new long[][][] {{{2, 3}, {2, 3}}});
        return t;
    }

    @Test
    void loadCountsEveryTopKAssignmentAndFirstOnlyTheFirst() {
        RoutingTally t = tally();
        assertArrayEquals(new double[] {4 / 8.0, 2 / 8.0, 1 / 8.0, 1 / 8.0}, t.loadShares()[0][0], 1e-12);
        assertArrayEquals(new double[] {3 / 4.0, 0, 0, 1 / 4.0}, t.firstShares()[0][0], 1e-12);
        assertArrayEquals(new double[] {0, 0, 0.5, 0.5}, t.loadShares()[0][1], 1e-12);
        assertArrayEquals(new double[] {0, 0, 1, 0}, t.firstShares()[0][1], 1e-12);
        assertEquals(4, t.tokens(0));
        assertEquals(2, t.tokens(1));
    }

    @Test
    void repetitionIsPerGroupWithinRunsAndPooledOverGroups() {
        RoutingTally t = tally();
        assertEquals(new Repetition(2, 1, 2), t.repetition(0, 0), "the lone-token run adds no pair");
        assertEquals(new Repetition(1, 1, 1), t.repetition(0, 1));
        assertEquals(new Repetition(3, 2, 3), t.repetition(0));
    }

    @Test
    void evidenceOfSeparatedGroupsIsOneBitAndAllRowsSumToOne() {
        RoutingEvidence e = RoutingEvidence.of(tally());
        assertEquals(1.0, e.mutualInformationBits()[0], 1e-12, "expert 2 is only ever group 1's first choice");
        assertEquals(1.0, e.classifierAccuracy()[0], 1e-12);
        assertEquals(2 / 3.0, e.repeatFirst()[0], 1e-12);
        assertArrayEquals(new double[] {0.5, 1.0}, e.repeatFirstByGroup()[0], 1e-12);
        assertArrayEquals(new double[] {1.0, 1.0}, e.repeatEitherByGroup()[0], 1e-12);
    }
}
