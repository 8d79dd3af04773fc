package mixtral.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How router logits [T, E] become each token's experts and weights. Mixtral's rule is {@link #MIXTRAL}; other rules
 * exist to show, in tests and lessons, that the golden comparison notices a wrong one.
 */
@FunctionalInterface
public interface RoutingRule {
    /** Top-k of the logits, then softmax over the k chosen. */
    RoutingRule MIXTRAL = Routing::fromLogits;

    Routing route(INDArray logits, int k);
}
