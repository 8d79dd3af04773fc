package mixtral.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import mixtral.bench.ModelBench.Recording;
import mixtral.config.MixtralConfig;
import mixtral.model.MixtralModel;
import mixtral.weights.Checkpoint;

/**
 * Runs every figure on one checkpoint: this model with each recording and Hugging Face taking turns run by run, the
 * GEMM peak, each product shape alone (both sides, turn by turn), then Hugging Face alone without the wait policy.
 */
public final class Benchmark {
    /**
     * @param prefill      prompt lengths to time a prefill of
     * @param decodePrompt tokens in the cache before the timed decode steps
     * @param decodeSteps  tokens decoded one at a time, each one repetition (the first {@code warmup} are not kept)
     */
    public record Settings(List<Integer> prefill, int decodePrompt, int decodeSteps, int warmup, int reps, long seed,
                           int threads) {}

    /** Everything one run measured. {@code hf} is null when Hugging Face was not run. */
    public record Results(MixtralConfig config, Settings settings, Machine machine,
                          Map<Figure, Map<Recording, Timing>> ours, Map<Figure, Double> gemmPeak, Map<Figure, Double> flops,
                          Map<Figure, List<GemmShape>> gemmShapes, Map<Figure, double[]> gemmOursMs,
                          HfBench.Result hf, HfBench.Result hfDefault) {}

    private Benchmark() {}

    /** Times the model in {@code checkpoint}; {@code hf} may be null to skip the published implementation. */
    public static Results run(Path checkpoint, Settings s, HfBench hf, Consumer<String> progress)
            throws IOException, InterruptedException {
        Machine before = Machine.now(s.threads());
        Map<Figure, long[]> prompts = new LinkedHashMap<>();
        Map<Figure, Map<Recording, Timing>> ours = new LinkedHashMap<>();
        Map<Figure, Double> peak = new LinkedHashMap<>();
        Map<Figure, Double> flops = new LinkedHashMap<>();
        Map<Figure, List<GemmShape>> shapes = new LinkedHashMap<>();
        Map<Figure, double[]> gemmMs = new LinkedHashMap<>();
        MixtralConfig c;
        long[] decodeTokens;
        HfBench.Result hfResult = null;
        HfBench.Result hfDefault = null;
        try (Checkpoint ckpt = Checkpoint.open(checkpoint);
             HfBench.Server server = hf == null ? null : hf.serve(checkpoint, s.threads(), true)) {
            c = ckpt.config();
            SplittableRandom random = new SplittableRandom(s.seed());
            for (int t : s.prefill()) {
                prompts.put(Figure.prefill(t), random.longs(t, 0, c.vocabSize()).toArray());
            }
            prompts.put(Figure.decodeAfter(s.decodePrompt()), random.longs(s.decodePrompt(), 0, c.vocabSize()).toArray());
            decodeTokens = random.longs(s.decodeSteps(), 0, c.vocabSize()).toArray();
            progress.accept("loading " + checkpoint + (server == null ? "" : ", and Hugging Face beside it"));
            MixtralModel model = MixtralModel.load(ckpt);
            if (server != null) {
                server.awaitLoaded();
            }
            ModelBench bench = new ModelBench(model, s.warmup(), s.reps(), server);
            Map<String, double[]> hfGemmMs = new LinkedHashMap<>();
            for (Map.Entry<Figure, long[]> e : prompts.entrySet()) {
                Figure f = e.getKey();
                System.gc();   // start each figure without the previous one's garbage (or the checkpoint writer's)
                progress.accept((server == null ? "ours: " : "ours and Hugging Face, taking turns: ") + f.name());
                ours.put(f, f.decode() ? bench.decode(f, e.getValue(), decodeTokens) : bench.prefill(f, e.getValue()));
                peak.put(f, GemmPeak.gflops(f, c.hiddenSize(), c.intermediateSize()));
                if (!f.decode()) {
                    progress.accept("matrix products of " + f.name() + " alone");
                    shapes.put(f, GemmShape.prefill(c, f.tokens()));
                    double[][] ms = bench.products(shapes.get(f));
                    gemmMs.put(f, ms[0]);
                    hfGemmMs.put(f.name(), ms[1]);
                }
                flops.put(f, f.decode()
                        ? Flops.forward(c, 1, f.tokens() + s.decodeSteps() / 2)
                        : Flops.forward(c, f.tokens(), 0));
            }
            if (server != null) {
                hfResult = server.result(hfGemmMs);
            }
        }
        if (hf != null && System.getenv("OMP_WAIT_POLICY") != null) {
            progress.accept("Hugging Face again, alone, without OMP_WAIT_POLICY (its default)");
            try (HfBench.Server alone = hf.serve(checkpoint, s.threads(), false)) {
                hfDefault = alone.alone(prompts, decodeTokens, s.warmup(), s.reps());
            }
        }
        return new Results(c, s, before.until(Machine.now(s.threads())), ours, peak, flops, shapes, gemmMs, hfResult,
                hfDefault);
    }
}
