package mixtral.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvidenceMarkdownTest {
    /** One layer, 2 groups, 8 experts, first-choice shares given; the other statistics do not matter here. */
    private static RoutingEvidence firstChoice(double[][] shares) {
        double[][][] first = {shares};
        return new RoutingEvidence(first, first, new double[1], new double[1], new double[1], new double[1][2],
                new double[1], new double[1][2]);
    }

    /** Expert 0 takes most of both groups' first choices; experts 1 and 2 one group's each. */
    private static final double[][] SHARES = {{0.5, 0.3, 0, 0, 0.2, 0, 0, 0}, {0.6, 0, 0.4, 0, 0, 0, 0, 0}};

    @Test
    void anExpertBusyInEveryGroupIsDominantNotASpecialisation() {
        RoutingEvidence e = firstChoice(SHARES);
        List<TellingCell> cells = EvidenceMarkdown.specialisations(e, 8);
        assertEquals(2, cells.size(), "experts 1 and 2, each chosen by one group only; expert 4's 20% is under 2x uniform");
        assertEquals(2, cells.get(0).expert(), "40% at twice its overall 20% tells more than 30% at twice 15%");
        assertEquals(1, cells.get(1).expert());
        assertEquals(1, EvidenceMarkdown.dominant(e, 8).size());
        assertArrayEquals(new int[] {0, 0}, EvidenceMarkdown.dominant(e, 8).get(0));
    }

    @Test
    void thePageListsTheSpecialisationWithItsRatios() {
        double[] even = {0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125};
        RoutingEvidence trained = firstChoice(SHARES);
        RoutingEvidence random = firstChoice(new double[][] {even, even});
        EvidenceReport r = new EvidenceReport("what", "./mixtral evidence",
                new EvidenceReport.Model(1, 8, 1, 100, "ab".repeat(32)),
                new EvidenceReport.Heldout(256, 24, Map.of("a", 10L, "b", 10L), "cd".repeat(32)),
                List.of("a", "b"), trained, random, EvidenceReport.Chance.of(2, 8, 1));
        String page = EvidenceMarkdown.render(r, 3, "From a test.");
        assertTrue(page.contains("- layer 0: expert 2 takes 40.0% of `b` first choices, 3.2x uniform and 2.0x its share "
                + "over all groups (random model: 12.5%)"), page);
        assertTrue(page.contains("Dominant rather than specialised, in the trained model (at least twice uniform in every "
                + "group): layer 0 expert 0."), page);
        assertTrue(page.contains("**From a test.**") && page.contains("seed 3"), page);
    }
}
