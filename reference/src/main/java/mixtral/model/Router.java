package mixtral.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A linear layer that scores every expert for every token; the top K scores decide where each token goes. */
final class Router {
    private final Weight gate;   // [E, D]
    private final int k;
    private final RoutingRule rule;

    Router(Weight gate, int k, RoutingRule rule) {
        this.gate = gate;
        this.k = k;
        this.rule = rule;
    }

    /** x [T, D] -> the routing of its T tokens. */
    Routing route(INDArray x) {
        INDArray logits = Ops.linear(x, gate.get());   // [T, E]
        return rule.route(logits, k);
    }
}
