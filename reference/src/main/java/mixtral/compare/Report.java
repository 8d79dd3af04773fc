package mixtral.compare;

import java.util.List;

/**
 * What a comparison of an actual trace against an expected one found, in forward order.
 *
 * @param tensors     one line per float tensor both traces hold
 * @param routing     one line per layer whose routing both traces hold
 * @param flips       every token routed to a different expert set, ties included
 * @param logits      top-1 agreement and KL divergence, or null when either trace lacks logits
 * @param onlyInOne   tensors one trace holds and the other does not (not compared)
 * @param first       the first divergence in forward order, or null when everything agrees
 * @param passed      true when nothing diverged beyond the tolerances
 */
public record Report(Tolerances tolerances, List<TensorDiff> tensors, List<LayerRouting> routing, List<Flip> flips,
                     LogitsDiff logits, List<String> onlyInOne, Divergence first, boolean passed) {

    /**
     * @param scaledMaxError max |a - e| / max(1, max |e|): the golden tests' measure
     * @param worstToken     the token (row) of the largest difference, or -1
     * @param afterTie       true when a routing tie earlier in the forward pass may explain a difference here
     */
    public record TensorDiff(String name, long[] shape, double maxAbsError, double maxRelError, double cosine,
                             double scaledMaxError, int worstToken, boolean within, boolean afterTie) {}

    /** @param agreement share of tokens routed to the same expert set */
    public record LayerRouting(int layer, int tokens, int sameExperts, double agreement, double smallestMargin) {}

    public record Flip(int layer, int token, long[] expectedExperts, long[] actualExperts, double margin, boolean tie) {}

    /** KL(expected || actual) of the next-token distributions, per token. */
    public record LogitsDiff(int tokens, double top1Agreement, double meanKl, double maxKl) {}

    public record Divergence(int layer, String tensor, int token, String what) {}
}
