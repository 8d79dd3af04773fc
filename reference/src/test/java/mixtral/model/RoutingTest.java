package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class RoutingTest {
    private static float[][] randomLogits(int t, int e, long seed) {
        Random r = new Random(seed);
        float[][] l = new float[t][e];
        for (float[] row : l) {
            for (int i = 0; i < e; i++) {
                row[i] = (float) (3 * r.nextGaussian());
            }
        }
        return l;
    }

    @Test
    void routingWeightsSumToOne() {
        Routing r = Routing.fromLogits(Nd4j.createFromArray(randomLogits(20, 8, 1)), 2);
        for (float[] w : r.weights()) {
            assertEquals(1.0, w[0] + w[1], 1e-6);
        }
    }

    @Test
    void topOneGivesWeightOne() {
        Routing r = Routing.fromLogits(Nd4j.createFromArray(randomLogits(20, 4, 2)), 1);
        for (float[] w : r.weights()) {
            assertEquals(1.0f, w[0]);
        }
    }

    @Test
    void expertsComeHighestLogitFirst() {
        Routing r = Routing.fromLogits(Nd4j.createFromArray(new float[][] {{0.1f, 2f, -1f, 1.5f}}), 2);
        assertArrayEquals(new int[] {1, 3}, r.experts()[0]);
        assertEquals(1 / (1 + Math.exp(-0.5)), r.weights()[0][0], 1e-6);
    }

    @Test
    void topkThenSoftmaxEqualsSoftmaxThenRenormalise() {
        float[][] logits = randomLogits(30, 8, 3);
        Routing r = Routing.fromLogits(Nd4j.createFromArray(logits), 2);
        float[][] probs = r.probs().toFloatMatrix();
        for (int t = 0; t < logits.length; t++) {
            int a = r.experts()[t][0];
            int b = r.experts()[t][1];
            double sum = probs[t][a] + probs[t][b];                 // Hugging Face: softmax over all E, top-k, renormalise
            assertEquals(probs[t][a] / sum, r.weights()[t][0], 1e-6);
            assertEquals(probs[t][b] / sum, r.weights()[t][1], 1e-6);
            for (int e = 0; e < 8; e++) {
                if (e != a && e != b) {
                    assertEquals(true, probs[t][e] <= probs[t][b], "chosen experts have the largest probabilities");
                }
            }
        }
    }

    @Test
    void routerProbabilitiesSumToOneOverAllExperts() {
        Routing r = Routing.fromLogits(Nd4j.createFromArray(randomLogits(5, 8, 4)), 2);
        for (float[] row : r.probs().toFloatMatrix()) {
            double s = 0;
            for (float p : row) {
                s += p;
            }
            assertEquals(1.0, s, 1e-6);
        }
    }
}
