package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
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

    @Test
    void thePaperIsComparedWithTheDemosGroupsAtOneLayerEachBesideItsOwnChance() {
        BesideThePaper.Heldout h = BesideThePaper.heldout();
        assertEquals(List.of("en", "fr", "de", "es", "it", "code"), h.groups());
        for (int l = 0; l < h.repeat().length; l++) {
            assertEquals(h.groups().size(), h.repeat()[l].length);
            for (int g = 0; g < h.groups().size(); g++) {
                assertTrue(h.chance()[l][g] >= 0.125 - 1e-12, "an uneven load can only raise chance");
            }
        }
        assertEquals(0.125, BesideThePaper.paperChance(), 0);
    }

    @Test
    void theClearestLayerIsTheOneWhoseEveryGroupRepeatsMostBeyondItsChance() {
        // layer 0: one group far beyond chance, one at chance; layer 1: both twice their chance
        BesideThePaper.Heldout h = new BesideThePaper.Heldout(List.of("a", "b"),
                new double[][] {{0.9, 0.3}, {0.4, 0.5}}, new double[][] {{0.3, 0.3}, {0.2, 0.25}}, null);
        assertEquals(2.0, h.ratio(1, 0), 1e-12);
        assertEquals(1, h.clearestLayer(), "the layer where a single group stands out is not the clearest");
    }
}
