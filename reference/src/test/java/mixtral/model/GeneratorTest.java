package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import mixtral.trace.Recorder;
import mixtral.weights.RandomWeights;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class GeneratorTest {
    private final MixtralModel model = MixtralModel.load(new RandomWeights(TinyConfigs.gqa(), 21));
    private final long[] prompt = {4, 9, 16, 25};

    @Test
    void greedyWithCacheEqualsArgmaxOfFullRecompute() {
        long[] fast = Generator.generate(model, prompt, Generator.Settings.greedy(6));
        long[] seq = prompt.clone();
        for (int n = 0; n < 6; n++) {
            INDArray logits = model.forward(seq, Recorder.NONE);
            long next = Argmax.of(logits.getRow(seq.length - 1).toFloatVector());
            assertEquals(next, fast[n], "new token " + n);
            seq = Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = next;
        }
    }

    @Test
    void samplingWithTheSameSeedRepeats() {
        Generator.Settings s = new Generator.Settings(8, 1.0, 0.9, 42, null);
        assertArrayEquals(Generator.generate(model, prompt, s), Generator.generate(model, prompt, s));
    }

    @Test
    void generationStopsAfterTheStopToken() {
        long first = Generator.generate(model, prompt, Generator.Settings.greedy(1))[0];
        long[] out = Generator.generate(model, prompt, new Generator.Settings(10, 0, 1, 0, first));
        assertArrayEquals(new long[] {first}, out);
    }

    @Test
    void tinyTopPKeepsOnlyTheMostLikelyToken() {
        float[] logits = {0.1f, 3f, 2.9f, -1f};
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 50; i++) {
            assertEquals(1, Generator.sample(logits, new Generator.Settings(1, 1, 1e-6, 0, null), r));
        }
    }

    @Test
    void samplingFollowsTheTemperedDistribution() {
        float[] logits = {0f, (float) Math.log(3)};          // probabilities 1/4 and 3/4 at temperature 1
        SplittableRandom r = new SplittableRandom(7);
        int ones = 0;
        for (int i = 0; i < 4000; i++) {
            ones += Generator.sample(logits, new Generator.Settings(1, 1, 1, 0, null), r);
        }
        assertTrue(Math.abs(ones / 4000.0 - 0.75) < 0.03, "share of token 1: " + ones / 4000.0);
    }

    @Test
    void eachNewTokenIsAnnouncedBeforeItsForwardPass() {
        int[] passes = {0};
        Recorder countsPasses = new Recorder() {
            @Override
            public boolean wants(String name) {
                return false;
            }

            @Override
            public void record(String name, INDArray value) {}

            @Override
            public void layerDone(int layer, int layers) {
                passes[0] += layer == layers - 1 ? 1 : 0;
            }
        };
        List<String> heard = new ArrayList<>();
        Generator.generate(model, prompt, Generator.Settings.greedy(4), countsPasses,
                n -> heard.add(n + " after " + passes[0] + " passes"));
        // Announcing after the pass, or once per pass including a needless one after the last token, reads otherwise.
        assertEquals(List.of("1 after 0 passes", "2 after 1 passes", "3 after 2 passes", "4 after 3 passes"), heard);
    }
}
