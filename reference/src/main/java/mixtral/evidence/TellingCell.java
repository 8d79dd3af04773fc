package mixtral.evidence;

import java.util.ArrayList;
import java.util.List;

/**
 * One (layer, expert, group) cell of the first-choice shares, with what it tells about the group: the group's share
 * of its first choices going to the expert, beside the expert's share of all groups' first choices (groups weighted
 * equally). docs/evidence.md ranks specialisations by {@link #weight}; lesson 9 picks each group's most telling cell.
 *
 * @param share   the expert's share of the group's first choices
 * @param overall the expert's share of all groups' first choices, groups weighted equally
 */
public record TellingCell(int layer, int expert, int group, double share, double overall) {
    /** The cell's term of the group's divergence, share * log2(share / overall): large if both big and specific. */
    public double weight() {
        return share > 0 ? share * Math.log(share / overall) / Math.log(2) : 0;
    }

    /** How many times its share over all groups the expert takes of this group's first choices. */
    public double lift() {
        return share / overall;
    }

    /** Every cell of first-choice shares [L][G][E] (each group's row summing to 1), layer by layer. */
    public static List<TellingCell> all(double[][][] firstChoice) {
        List<TellingCell> cells = new ArrayList<>();
        for (int l = 0; l < firstChoice.length; l++) {
            double[][] groups = firstChoice[l];
            for (int x = 0; x < groups[0].length; x++) {
                double overall = 0;
                for (double[] group : groups) {
                    overall += group[x] / groups.length;
                }
                for (int g = 0; g < groups.length; g++) {
                    cells.add(new TellingCell(l, x, g, groups[g][x], overall));
                }
            }
        }
        return cells;
    }
}
