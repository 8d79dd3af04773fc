package mixtral.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RepetitionTest {
    @Test
    void randomBaselinesAreOneEighthAndOneMinusSixEighthsTimesFiveSevenths() {
        assertEquals(0.125, Repetition.randomFirst(8), 1e-12);
        assertEquals(1 - (6.0 / 8) * (5.0 / 7), Repetition.randomShareOne(8, 2), 1e-12);
        assertEquals(0.0, Repetition.randomShareOne(8, 1) - 0.125, 1e-12, "top-1: sharing is the same first choice");
    }

    @Test
    void repetitionCountsConsecutivePairsOnly() {
        long[][] experts = {{1, 2}, {1, 3}, {4, 3}, {5, 6}, {5, 6}};
        Repetition r = Repetition.of(experts);
        assertEquals(4, r.pairs());
        assertEquals(2, r.sameFirst());   // (0,1) and (3,4)
        assertEquals(3, r.shareOne());    // (0,1), (1,2), (3,4)
        assertEquals(0.5, r.first(), 1e-12);
        assertEquals(0.75, r.either(), 1e-12);
    }

    @Test
    void sharingTheOtherExpertCountsForEitherButNotForFirst() {
        Repetition r = Repetition.of(new long[][] {{1, 2}, {2, 1}});
        assertEquals(0, r.sameFirst());
        assertEquals(1, r.shareOne());
    }

    @Test
    void runsAddWithoutPairsAcrossThem() {
        Repetition a = Repetition.of(new long[][] {{1, 2}, {1, 2}});
        Repetition b = Repetition.of(new long[][] {{1, 2}});
        assertEquals(new Repetition(1, 1, 1), a.plus(b));
    }

    @Test
    void chanceGivenAnEvenLoadIsOneOverEAndAnUnevenLoadRaisesIt() {
        double[] even = new double[8];
        Arrays.fill(even, 0.125);
        assertEquals(0.125, Repetition.sameFirstGivenLoad(even), 1e-12);
        assertEquals(0.5, Repetition.sameFirstGivenLoad(new double[] {0.5, 0.5, 0, 0, 0, 0, 0, 0}), 1e-12);
    }
}
