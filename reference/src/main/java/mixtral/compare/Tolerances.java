package mixtral.compare;

import mixtral.BadInputException;

/**
 * When two traces agree. A float element agrees when |actual - expected| <= atol + rtol * |expected| (numpy's
 * allclose). A routing flip (a token sent to a different set of experts) whose router margin in the expected trace,
 * the K-th minus the (K+1)-th largest logit, is below {@code tieMargin} is a tie: either choice is right, so it is
 * reported, not failed, and what depends on it is no longer compared strictly.
 */
public record Tolerances(double atol, double rtol, double tieMargin) {
    public static final Tolerances DEFAULT = new Tolerances(1e-4, 1e-4, 1e-4);

    public Tolerances {
        if (!(atol >= 0) || !(rtol >= 0) || !(tieMargin >= 0)) {
            throw new BadInputException("tolerances must be non-negative numbers: atol=" + atol + " rtol=" + rtol
                    + " tie-margin=" + tieMargin);
        }
    }
}
