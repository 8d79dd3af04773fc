package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RoutingStatisticsTest {
    @Test
    void randomBaselinesAreOneEighthAndOneMinusSixEighthsTimesFiveSevenths() {
        assertEquals(0.125, RoutingStatistics.randomFirst(8), 1e-12);
        assertEquals(1 - (6.0 / 8) * (5.0 / 7), RoutingStatistics.randomShareOne(8, 2), 1e-12);
        assertEquals("46.4%", Fmt.percent(RoutingStatistics.randomShareOne(8, 2)));
    }

    @Test
    void repetitionCountsConsecutivePairsOnly() {
        long[][] experts = {{1, 2}, {1, 3}, {4, 3}, {5, 6}, {5, 6}};
        RoutingStatistics.Repetition r = RoutingStatistics.repetition(experts);
        assertEquals(4, r.pairs());
        assertEquals(2, r.sameFirst());   // (0,1) and (3,4)
        assertEquals(3, r.shareOne());    // (0,1), (1,2), (3,4)
    }

    @Test
    void loadsSumToOnePerLayerAndChanceGivenAnEvenLoadIsOneEighth() {
        RoutingStatistics.Stats s = RoutingStatistics.stats();
        for (int l = 0; l < s.load().length; l++) {
            assertEquals(1.0, Arrays.stream(s.load()[l]).sum(), 1e-9);
            assertTrue(s.chanceGivenLoad(l) >= 0.125 - 1e-12, "an uneven load can only raise chance");
        }
        double[][] even = new double[1][8];
        Arrays.fill(even[0], 0.125);
        assertEquals(0.125, new RoutingStatistics.Stats(null, null, even, even, 0).chanceGivenLoad(0), 1e-12);
    }
}
