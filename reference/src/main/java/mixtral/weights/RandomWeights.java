package mixtral.weights;

import java.util.SplittableRandom;
import mixtral.config.MixtralConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Deterministic random weights for tests, demos and benchmarks. Each tensor's values depend only on the seed and the
 * tensor's role, so asking twice gives the same array on every platform. Linear weights are N(0, 1/in), norms
 * 1 + N(0, 0.1^2); {@code routerScale} multiplies the router so that routing varies from token to token.
 *
 * <p>{@link #huggingFaceInit} draws instead what Hugging Face's {@code MixtralPreTrainedModel._init_weights} does
 * before training: every linear weight, the router and the embedding N(0, 0.02^2) ({@code initializer_range}),
 * norms exactly 1. The values differ from torch's (another random generator), the distribution is the same.
 */
public final class RandomWeights implements WeightSource {
    /** Hugging Face's {@code MixtralConfig.initializer_range}. */
    public static final double HF_INITIALIZER_RANGE = 0.02;

    private final MixtralConfig config;
    private final long seed;
    private final double routerScale;
    /** Above 0: every matrix N(0, fixedStd^2) and norms 1, as Hugging Face initialises; 0: scaled by fan-in. */
    private final double fixedStd;

    private RandomWeights(MixtralConfig config, long seed, double routerScale, double fixedStd) {
        this.config = config;
        this.seed = seed;
        this.routerScale = routerScale;
        this.fixedStd = fixedStd;
    }

    public RandomWeights(MixtralConfig config, long seed, double routerScale) {
        this(config, seed, routerScale, 0);
    }

    public RandomWeights(MixtralConfig config, long seed) {
        this(config, seed, 4.0);
    }

    /** An untrained model as Hugging Face initialises one: matrices N(0, 0.02^2), norms 1 (see the class comment). */
    public static RandomWeights huggingFaceInit(MixtralConfig config, long seed) {
        return new RandomWeights(config, seed, 1, HF_INITIALIZER_RANGE);
    }

    @Override
    public MixtralConfig config() {
        return config;
    }

    private INDArray linear(String role, int out, int in, double scale) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + role.hashCode());
        float[] v = new float[Math.multiplyExact(out, in)];
        double std = fixedStd > 0 ? fixedStd : scale / Math.sqrt(in);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (gaussian(r) * std);
        }
        return Nd4j.create(v, new long[] {out, in}, 'c');
    }

    private INDArray norm(String role) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + role.hashCode());
        float[] v = new float[config.hiddenSize()];
        for (int i = 0; i < v.length; i++) {
            v[i] = fixedStd > 0 ? 1 : (float) (1 + 0.1 * gaussian(r));
        }
        return Nd4j.create(v, new long[] {v.length}, 'c');
    }

    /** Box-Muller, so that values do not depend on java.util.Random's implementation. */
    private static double gaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private int d() {
        return config.hiddenSize();
    }

    private int qDim() {
        return config.numAttentionHeads() * config.headDim();
    }

    private int kvDim() {
        return config.numKeyValueHeads() * config.headDim();
    }

    @Override public INDArray embedding() { return linear("embed", config.vocabSize(), d(), Math.sqrt(d())); }
    @Override public INDArray finalNorm() { return norm("norm"); }
    @Override public INDArray lmHead() {
        return config.tieWordEmbeddings() ? embedding() : linear("lm_head", config.vocabSize(), d(), 1);
    }
    @Override public INDArray attnNorm(int l) { return norm("attn_norm" + l); }
    @Override public INDArray wq(int l) { return linear("wq" + l, qDim(), d(), 1); }
    @Override public INDArray wk(int l) { return linear("wk" + l, kvDim(), d(), 1); }
    @Override public INDArray wv(int l) { return linear("wv" + l, kvDim(), d(), 1); }
    @Override public INDArray wo(int l) { return linear("wo" + l, d(), qDim(), 1); }
    @Override public INDArray moeNorm(int l) { return norm("moe_norm" + l); }
    @Override public INDArray gate(int l) { return linear("gate" + l, config.numLocalExperts(), d(), routerScale); }
    @Override public INDArray w1(int l, int e) { return linear("w1." + l + "." + e, config.intermediateSize(), d(), 1); }
    @Override public INDArray w2(int l, int e) { return linear("w2." + l + "." + e, d(), config.intermediateSize(), 1); }
    @Override public INDArray w3(int l, int e) { return linear("w3." + l + "." + e, config.intermediateSize(), d(), 1); }
}
