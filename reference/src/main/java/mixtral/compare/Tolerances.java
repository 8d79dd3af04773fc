package mixtral.compare;

import mixtral.BadInputException;

/**
 * When two traces agree. A float element agrees when both are finite and |actual - expected| <= atol + rtol *
 * |expected| (numpy's allclose), or both are the same non-finite value. A routing flip (a token sent to a different
 * set of experts) whose router margin in the expected trace, the K-th minus the (K+1)-th largest logit, is below
 * {@code tieMargin} is a tie: either choice is right, so only that token's routing entries at that layer are excused.
 * Everything else is compared strictly: what a tie changes downstream is checked by replaying the routing.
 */
public record Tolerances(double atol, double rtol, double tieMargin) {
    public static final Tolerances DEFAULT = new Tolerances(1e-4, 1e-4, 1e-4);

    public Tolerances {
        if (!(atol >= 0) || !(rtol >= 0) || !(tieMargin >= 0) || Double.isInfinite(atol) || Double.isInfinite(rtol)
                || Double.isInfinite(tieMargin)) {
            throw new BadInputException("tolerances must be finite non-negative numbers: atol=" + atol + " rtol=" + rtol
                    + " tie-margin=" + tieMargin);
        }
    }

    /** Whether one element agrees (see the class comment). */
    public boolean agree(double expected, double actual) {
        if (!Double.isFinite(expected) || !Double.isFinite(actual)) {
            return Double.compare(expected, actual) == 0 || (Double.isNaN(expected) && Double.isNaN(actual));
        }
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }
}
