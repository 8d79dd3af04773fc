package mixtral.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import mixtral.model.Routing;
import mixtral.model.RoutingRule;
import mixtral.trace.Trace;
import mixtral.weights.Checkpoint;
import mixtral.weights.WeightSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The golden tests can fail: three plausible bugs, each of which must break the golden criteria, and a case made from
 * other weights, which must be refused. The top-2 case is used because with top-1 every routing weight is 1 and bugs
 * (a) and (c) would be invisible.
 */
class NegativeControlTest {
    private static final GoldenCase HF = GoldenCase.find("moe8_top2_gqa", "hf");
    private static final GoldenCase MISTRAL = GoldenCase.find("moe8_top2_gqa", "mistral");
    private static final GoldenCase TRAINED = GoldenCase.find("trained/code_java", "hf");

    @Test
    void theCorrectModelPasses() {
        assertTrue(GoldenCheck.passes(HF.golden(), HF.ours()), GoldenCheck.firstDivergence(HF.golden(), HF.ours()));
        assertTrue(GoldenCheck.passes(MISTRAL.golden(), MISTRAL.ours()));
    }

    /** (a) A bug seen in a public Java engine: expert outputs added without their routing weights. */
    @Test
    void addingExpertOutputsWithoutRoutingWeightsFails() {
        RoutingRule unweighted = (logits, k) -> {
            Routing r = Routing.fromLogits(logits, k);
            float[][] ones = new float[r.weights().length][k];
            for (float[] row : ones) {
                java.util.Arrays.fill(row, 1f);
            }
            return new Routing(logits, r.experts(), ones);
        };
        Trace bad = HF.run(w -> w, unweighted);
        assertFalse(GoldenCheck.passes(HF.golden(), bad), "unweighted expert sum must fail the golden check");
    }

    /** (c) Softmax over all E experts, then top-k, but no renormalisation over the chosen k. */
    private static final RoutingRule UNNORMALISED = (logits, k) -> {
        Routing r = Routing.fromLogits(logits, k);
        float[][] probs = r.probs().toFloatMatrix();
        float[][] w = new float[probs.length][k];
        for (int t = 0; t < w.length; t++) {
            for (int j = 0; j < k; j++) {
                w[t][j] = probs[t][r.experts()[t][j]];
            }
        }
        return new Routing(logits, r.experts(), w);
    };

    @Test
    void softmaxOverAllExpertsWithoutRenormalisingFails() {
        Trace bad = HF.run(w -> w, UNNORMALISED);
        assertFalse(GoldenCheck.passes(HF.golden(), bad), "unrenormalised weights must fail the golden check");
    }

    /** The same bug on the trained demo model, whose residual stream reaches ~400 and so loosens the scaled bound. */
    @Test
    void softmaxOverAllExpertsWithoutRenormalisingFailsOnTheTrainedDemoModelToo() {
        Trace bad = TRAINED.run(w -> w, UNNORMALISED);
        assertTrue(GoldenCheck.passes(TRAINED.golden(), TRAINED.ours()),
                GoldenCheck.firstDivergence(TRAINED.golden(), TRAINED.ours()));
        assertFalse(GoldenCheck.passes(TRAINED.golden(), bad), "unrenormalised weights must fail on " + TRAINED);
    }

    /** A case whose case.json names other weights than those it runs on fails before any number, saying what to do. */
    @Test
    void aCaseMadeFromOtherWeightsIsStaleAndSaysHowToRegenerate(@TempDir Path dir) throws IOException {
        assertEquals(Optional.empty(), TRAINED.staleness());
        Files.writeString(dir.resolve("case.json"),
                "{\"model\": {\"model.safetensors_sha256\": \"" + "0".repeat(64) + "\"}}");
        Files.copy(TRAINED.dir().resolve("golden.safetensors"), dir.resolve("golden.safetensors"));
        GoldenCase stale = new GoldenCase(TRAINED.name(), TRAINED.layout(), TRAINED.modelDir(), dir);
        String why = stale.staleness().orElseThrow(() -> new AssertionError("not seen as stale"));
        assertTrue(why.contains("0".repeat(64)) && why.contains(GoldenCase.REGENERATE_TRAINED), why);
        assertEquals(why, assertThrows(IllegalStateException.class, stale::ours).getMessage());
    }

    /** (b) Mistral-native query/key rows used as stored, without the interleaved-to-rotate-half permutation. */
    @Test
    void skippingTheQueryKeyPermutationForMistralCheckpointsFails() {
        Trace bad = MISTRAL.run(w -> new StoredQueryKeyRows((Checkpoint) w), RoutingRule.MIXTRAL);
        assertFalse(GoldenCheck.passes(MISTRAL.golden(), bad), "unpermuted q/k rows must fail the golden check");
    }

    /** Serves wq and wk exactly as stored in the file, everything else as the checkpoint does. */
    private record StoredQueryKeyRows(Checkpoint c) implements WeightSource {
        @Override public mixtral.config.MixtralConfig config() { return c.config(); }
        @Override public INDArray embedding() { return c.embedding(); }
        @Override public INDArray finalNorm() { return c.finalNorm(); }
        @Override public INDArray lmHead() { return c.lmHead(); }
        @Override public INDArray attnNorm(int l) { return c.attnNorm(l); }
        @Override public INDArray wq(int l) { return c.load(c.layout().wq(l)); }
        @Override public INDArray wk(int l) { return c.load(c.layout().wk(l)); }
        @Override public INDArray wv(int l) { return c.wv(l); }
        @Override public INDArray wo(int l) { return c.wo(l); }
        @Override public INDArray moeNorm(int l) { return c.moeNorm(l); }
        @Override public INDArray gate(int l) { return c.gate(l); }
        @Override public INDArray w1(int l, int e) { return c.w1(l, e); }
        @Override public INDArray w2(int l, int e) { return c.w2(l, e); }
        @Override public INDArray w3(int l, int e) { return c.w3(l, e); }
    }
}
