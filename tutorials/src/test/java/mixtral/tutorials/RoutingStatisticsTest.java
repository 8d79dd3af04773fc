package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import mixtral.evidence.Repetition;
import org.junit.jupiter.api.Test;

/** The counting rules themselves (mixtral.evidence.Repetition) are tested in the reference module. */
class RoutingStatisticsTest {
    @Test
    void theLessonQuotesTheRandomBaselinesOfEightExpertsTopTwo() {
        assertEquals("12.5%", Fmt.percent(Repetition.randomFirst(8)));
        assertEquals("46.4%", Fmt.percent(Repetition.randomShareOne(8, 2)));
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
