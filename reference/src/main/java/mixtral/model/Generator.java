package mixtral.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import mixtral.BadInputException;
import mixtral.trace.Recorder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Autoregressive generation with the KV cache: the prompt runs once, then each new token runs alone, attending to the
 * cached keys and values of everything before it.
 */
public final class Generator {

    /**
     * @param temperature 0 for greedy decoding (the most likely token, lowest id on ties); otherwise logits are divided
     *                    by it before sampling
     * @param topP        sample only from the smallest set of most likely tokens whose probabilities reach topP
     * @param seed        seeds the sampler, so a sampled generation can be repeated
     * @param stopToken   generation ends after this token (e.g. end-of-sequence), or null to always run maxNewTokens
     */
    public record Settings(int maxNewTokens, double temperature, double topP, long seed, Long stopToken) {
        public Settings {
            if (maxNewTokens < 0) {
                throw new BadInputException("max new tokens must be 0 or more, got " + maxNewTokens);
            }
            if (!(temperature >= 0) || Double.isInfinite(temperature)) {
                throw new BadInputException("temperature must be 0 (greedy) or positive, got " + temperature);
            }
            if (!(topP > 0 && topP <= 1)) {
                throw new BadInputException("top-p must be in (0, 1], got " + topP);
            }
        }

        public static Settings greedy(int maxNewTokens) {
            return new Settings(maxNewTokens, 0, 1, 0, null);
        }
    }

    private Generator() {}

    /** Returns only the new tokens. */
    public static long[] generate(MixtralModel model, long[] prompt, Settings s) {
        return generate(model, prompt, s, Recorder.NONE);
    }

    /** The same, passing {@code rec} to every forward pass (for progress: it sees the prompt, then each new token). */
    public static long[] generate(MixtralModel model, long[] prompt, Settings s, Recorder rec) {
        return generate(model, prompt, s, rec, n -> {});
    }

    /**
     * The same, telling {@code beforeToken} the number n (1-based) of the new token whose forward pass starts next:
     * 1 before the prompt's pass, n before the pass over token n-1. A long generation can then say where it is.
     */
    public static long[] generate(MixtralModel model, long[] prompt, Settings s, Recorder rec,
                                  IntConsumer beforeToken) {
        MixtralModel.checkPositions(model.config(), (long) prompt.length + s.maxNewTokens(),
                String.format(Locale.ROOT, "%,d prompt tokens and %,d new ones", prompt.length, s.maxNewTokens()));
        KvCache cache = model.newCache();
        SplittableRandom random = new SplittableRandom(s.seed());
        long[] out = new long[s.maxNewTokens()];
        beforeToken.accept(1);
        INDArray logits = model.forward(prompt, cache, rec);                    // [T, V]
        if (out.length == 0) {
            return out;
        }
        float[] last = logits.getRow(logits.rows() - 1).toFloatVector();          // [V]
        for (int n = 0; n < out.length; n++) {
            out[n] = s.temperature() == 0 ? Argmax.of(last) : sample(last, s, random);
            if (s.stopToken() != null && out[n] == s.stopToken()) {
                return Arrays.copyOf(out, n + 1);
            }
            if (n + 1 < out.length) {
                beforeToken.accept(n + 2);
                last = model.forward(new long[] {out[n]}, cache, rec).toFloatVector();
            }
        }
        return out;
    }

    /** Temperature, then nucleus (top-p) filtering, then one draw. */
    static int sample(float[] logits, Settings s, SplittableRandom random) {
        double max = logits[Argmax.of(logits)];
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - max) / s.temperature());
            sum += p[i];
        }
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        int keep = 0;
        double kept = 0;
        while (keep < order.length && (keep == 0 || kept / sum < s.topP())) {
            kept += p[order[keep++]];
        }
        double u = random.nextDouble() * kept;
        for (int i = 0; i < keep; i++) {
            u -= p[order[i]];
            if (u <= 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }
}
