package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The router names, after each decision, exactly the experts no token chose: a streamed checkpoint skips their bytes. */
class RouterHintTest {
    /** Four experts, one per direction of the plane: tokens leaning right and up choose experts 0 and 1. */
    private static final INDArray GATE = Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}, {-1, 0}, {0, -1}});

    private static List<Integer> unchosen(Intervention i, float[][] tokens) {
        List<Integer> told = new ArrayList<>();
        Router r = new Router(0, WeightMemory.unbounded().weight(4 * 8, () -> GATE), 2, RoutingRule.MIXTRAL,
                Intervention.NONE, told::add).with(i);
        r.route(Nd4j.createFromArray(tokens), 0);
        return told;
    }

    @Test
    void theExpertsNoTokenChoseAndOnlyThem() {
        assertEquals(List.of(2, 3), unchosen(Intervention.NONE, new float[][] {{1, 0.5f}, {0.5f, 1}}));
        assertEquals(List.of(3), unchosen(Intervention.NONE, new float[][] {{1, 0.5f}, {-1, 0.25f}}),
                "the second token chose experts 2 and 1");
    }

    @Test
    void anInterventionsChoiceIsTheOneThatCounts() {
        Intervention forced = Intervention.NONE.withForced(0, 0, 2, 3);
        assertEquals(List.of(0, 1), unchosen(forced, new float[][] {{1, 0.5f}}));
    }
}
