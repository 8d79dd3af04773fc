package mixtral.compare;

import java.util.List;

/**
 * What a comparison of an actual trace (B, another engine's) against an expected one (A, the reference) found, in
 * forward order. Without a model the tensors are held to A; with one, to the reference re-run with B's routing
 * replayed ({@code baseline} says which), and B's routing decisions to that run's own router logits.
 *
 * @param baseline             what B's tensors were compared with: "A", or "the reference with B's routing replayed"
 * @param expectedIntervention A's routing intervention (trace metadata), or null for a plain run
 * @param actualIntervention   B's, or null
 * @param tensors              one line per float tensor both B and the baseline hold
 * @param routing              one line per layer whose routing A and B both hold
 * @param flips                every token B routed to another expert set than A, ties included; where A and B choose
 *                             a different number of experts (K), every token's set counts as changed
 * @param notComparable        tensors both hold whose K-wide shapes differ (routing weights when K differs): neither
 *                             compared nor passed; each is a divergence
 * @param wrongDecisions       with a model: B's choices farther than the tie margin from the reference's own choice
 * @param logits               top-1 agreement and KL divergence, or null when either trace lacks logits
 * @param onlyInOne            tensors one trace holds and the other does not (not compared)
 * @param missing              required tensors (--require) that a trace lacks: failures
 * @param first                the first divergence in forward order, or null when everything agrees
 * @param hint                 one line on what to do next (e.g. pass --model to check ties), or null
 * @param passed               true when nothing diverged beyond the tolerances
 */
public record Report(Tolerances tolerances, String baseline, String expectedIntervention, String actualIntervention,
                     List<TensorDiff> tensors, List<LayerRouting> routing, List<Flip> flips,
                     List<Decision> wrongDecisions, List<NotComparable> notComparable, LogitsDiff logits,
                     List<String> onlyInOne, List<String> missing, Divergence first, String hint, boolean passed) {

    /**
     * @param scaledMaxError   max |a - e| / max(1, max |e|) over finite pairs: the golden tests' measure
     * @param worstToken       the token (row) of the largest difference, or -1
     * @param firstBadToken    the first token with an element outside tolerance, or -1
     * @param excusedTokens    tokens whose routing entries were not compared because their flip is a tie
     * @param nonFiniteExpected elements of the baseline that are NaN or infinite
     * @param nonFiniteActual  elements of B that are NaN or infinite
     * @param nonFiniteMismatches elements where the two are not the same non-finite value, one side at least non-finite
     */
    public record TensorDiff(String name, long[] shape, double maxAbsError, double maxRelError, double cosine,
                             double scaledMaxError, int worstToken, int firstBadToken, int excusedTokens,
                             long nonFiniteExpected, long nonFiniteActual, long nonFiniteMismatches, boolean within) {}

    /**
     * @param agreement share of tokens routed to the same expert set
     * @param kExpected experts per token in A at this layer (K_A)
     * @param kActual   experts per token in B (K_B); when it differs from K_A no token's set is the same
     * @param nested    tokens where one set holds the other (the same set included): with another K, those whose
     *                  change only added (or removed) experts, the rest chose others too
     */
    public record LayerRouting(int layer, int tokens, int sameExperts, double agreement, double smallestMargin,
                               int kExpected, int kActual, int nested) {}

    /**
     * A token B routed to another set than A.
     *
     * @param margin A's router margin (K-th minus (K+1)-th logit) at this token
     * @param tie    whether the flip is excused: without a model, margin below the tie margin; with one, B's choice
     *               within the tie margin of the replayed reference's own choice
     */
    public record Flip(int layer, int token, long[] expectedExperts, long[] actualExperts, double margin, boolean tie) {}

    /**
     * A routing decision of B that the reference, given the same inputs (B's routing replayed before it), would not
     * make: {@code shortfall} is how far below the reference's K-th largest router logit B's weakest choice was.
     */
    public record Decision(int layer, int token, long[] actualExperts, long[] referenceExperts, double shortfall) {
        /** Why the reference would not make it, in words. */
        public String reason() {
            if (actualExperts.length != referenceExperts.length) {
                return "B chooses " + actualExperts.length + " experts, the reference " + referenceExperts.length;
            }
            return Double.isInfinite(shortfall) ? "an expert chosen twice"
                    : String.format(java.util.Locale.ROOT, "%.3g below its K-th router logit", shortfall);
        }
    }

    /**
     * A tensor both traces hold that cannot be compared element by element: its K dimension differs.
     *
     * @param reason e.g. "K differs: A [8, 2], B [8, 3]"
     */
    public record NotComparable(String name, long[] expectedShape, long[] actualShape, String reason) {}

    /** KL(baseline || actual) of the next-token distributions, per token. */
    public record LogitsDiff(int tokens, double top1Agreement, double meanKl, double maxKl) {}

    public record Divergence(int layer, String tensor, int token, String what) {}
}
