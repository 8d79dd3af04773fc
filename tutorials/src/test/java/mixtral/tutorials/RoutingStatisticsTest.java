package mixtral.tutorials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import mixtral.evidence.Repetition;
import mixtral.inspector.analysis.Figure7.Figure7View;
import mixtral.inspector.engine.InspectedModel;
import mixtral.inspector.engine.Inspector;
import mixtral.inspector.engine.Labelling;
import mixtral.inspector.engine.Limits;
import mixtral.inspector.engine.ModelRunner;
import mixtral.inspector.engine.TraceStore;
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

    /** What the lesson tells a reader to do in the inspector gives the numbers the lesson quotes. */
    @Test
    void theInspectorsFigure7OfTheLabelledTextsIsTheLessonsCountPerDomain() {
        Limits limits = Limits.defaults();
        Inspector inspector = new Inspector(InspectedModel.demo(), limits, new ModelRunner(limits.queue()),
                new TraceStore(null, limits.cachedTraces()));
        Labelling labelling = new Labelling(inspector);
        for (int i = 0; i < RoutingStatistics.LABELLED.size(); i++) {
            String text = RoutingStatistics.DOMAINS.get(RoutingStatistics.LABELLED.get(i));
            labelling.label(inspector.trace(text, 0).id(), RoutingStatistics.LABELS.get(i));
        }
        Figure7View f = labelling.figure7(RoutingStatistics.LABELS);
        Map<String, double[][]> lesson = RoutingStatistics.domainShares();
        for (int i = 0; i < RoutingStatistics.LABELLED.size(); i++) {
            String domain = RoutingStatistics.LABELLED.get(i);
            assertEquals(RoutingStatistics.LABELS.get(i), f.labels().get(i).label());
            assertEquals(DemoRun.tokens(RoutingStatistics.DOMAINS.get(domain)).length, f.labels().get(i).tokens());
            for (int l = 0; l < f.layers(); l++) {
                for (int e = 0; e < f.experts(); e++) {
                    assertEquals(lesson.get(domain)[l][e], f.labels().get(i).shares()[l][e], 1e-12,
                            domain + " layer " + l + " expert " + e);
                }
            }
        }
        int[] at = RoutingStatistics.widestGap(lesson);
        double gap = Math.abs(lesson.get("French")[at[0]][at[1]] - lesson.get("German")[at[0]][at[1]]);
        assertTrue(gap > 0.05, "the lesson points at a visible difference: " + gap);
    }
}
