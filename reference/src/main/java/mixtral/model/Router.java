package mixtral.model;

import java.util.function.IntConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A linear layer that scores every expert for every token; the top K scores decide where each token goes. */
final class Router {
    private final int layer;
    private final Weight gate;   // [E, D]
    private final int k;
    private final RoutingRule rule;
    private final Intervention intervention;
    private final IntConsumer unchosen;      // told each expert no token chose: a streamed checkpoint skips its bytes

    Router(int layer, Weight gate, int k, RoutingRule rule, Intervention intervention, IntConsumer unchosen) {
        this.layer = layer;
        this.gate = gate;
        this.k = k;
        this.rule = rule;
        this.intervention = intervention;
        this.unchosen = unchosen;
    }

    Router with(Intervention i) {
        return new Router(layer, gate, k, rule, i, unchosen);
    }

    /** x [T, D], the tokens at positions start..start+T-1 -> their routing; an intervention may override it. */
    Routing route(INDArray x, int start) {
        RouterPrecision p = intervention.routerPrecision();
        INDArray logits = Blas.linear(p.round(x), p.round(gate.get()));  // [T, E]
        Routing routing = intervention.route(layer, start, logits, k, rule);
        boolean[] chosen = routing.chosen((int) logits.columns());
        for (int e = 0; e < chosen.length; e++) {
            if (!chosen[e]) {
                unchosen.accept(e);
            }
        }
        return routing;
    }
}
