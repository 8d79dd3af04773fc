package mixtral.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mixtral.bench.ModelBench.Recording;
import org.junit.jupiter.api.Test;

/**
 * The recordings a benchmark compares take turns in a rotating order: over any three consecutive runs each comes
 * first, second and third once, and follows each of the others as often; a fixed order would charge one of them for
 * running right after another.
 */
class TurnOrderTest {
    @Test
    void overAnyThreeRunsEachRecordingTakesEachPlaceOnce() {
        for (int start = -5; start < 7; start++) {
            Map<Recording, Set<Integer>> places = new EnumMap<>(Recording.class);
            Set<String> followed = new HashSet<>();
            for (int run = start; run < start + 3; run++) {
                List<Recording> order = ModelBench.inTurn(run);
                assertEquals(Recording.values().length, Set.copyOf(order).size(), "run " + run + ": " + order);
                for (int place = 0; place < order.size(); place++) {
                    places.computeIfAbsent(order.get(place), r -> new HashSet<>()).add(place);
                    if (place > 0) {
                        followed.add(order.get(place - 1) + ">" + order.get(place));
                    }
                }
            }
            for (Recording r : Recording.values()) {
                assertEquals(Set.of(0, 1, 2), places.get(r), r + " from run " + start);
            }
            assertEquals(3, followed.size(), "pairs that ran back to back from run " + start + ": " + followed);
        }
    }
}
