package mixtral.config;

import static mixtral.config.HuggingFaceConfigJson.HEAD_DIM;
import static mixtral.config.HuggingFaceConfigJson.HIDDEN_SIZE;
import static mixtral.config.HuggingFaceConfigJson.INTERMEDIATE_SIZE;
import static mixtral.config.HuggingFaceConfigJson.MAX_POSITION_EMBEDDINGS;
import static mixtral.config.HuggingFaceConfigJson.NUM_ATTENTION_HEADS;
import static mixtral.config.HuggingFaceConfigJson.NUM_EXPERTS_PER_TOK;
import static mixtral.config.HuggingFaceConfigJson.NUM_HIDDEN_LAYERS;
import static mixtral.config.HuggingFaceConfigJson.NUM_KEY_VALUE_HEADS;
import static mixtral.config.HuggingFaceConfigJson.NUM_LOCAL_EXPERTS;
import static mixtral.config.HuggingFaceConfigJson.RMS_NORM_EPS;
import static mixtral.config.HuggingFaceConfigJson.ROPE_THETA;
import static mixtral.config.HuggingFaceConfigJson.SLIDING_WINDOW;
import static mixtral.config.HuggingFaceConfigJson.VOCAB_SIZE;

import java.util.Locale;
import mixtral.BadInputException;

/**
 * The hyper-parameters of a Mixtral model, whichever file they came from (Hugging Face {@code config.json}, see
 * {@link HuggingFaceConfigJson}, or Mistral-native {@code params.json}, see {@link MistralParamsJson}). Field names
 * and the keys named in errors follow Hugging Face's. Build one by name with {@link #builder()}, or change a few
 * values of another with {@link #toBuilder()}.
 *
 * @param hiddenSize            D, the width of the residual stream
 * @param intermediateSize      F, the hidden width of each expert's SwiGLU feed-forward network
 * @param numHiddenLayers       L, decoder layers
 * @param numAttentionHeads     H, query heads
 * @param numKeyValueHeads      KV, key/value heads shared by H / KV query heads each (grouped-query attention)
 * @param headDim               Hd, width of one head (D / H in every published Mixtral)
 * @param numLocalExperts       E, experts per layer
 * @param numExpertsPerTok      K, experts each token is routed to
 * @param vocabSize             V
 * @param ropeTheta             base of the rotary position embedding frequencies
 * @param rmsNormEps            epsilon inside RMSNorm
 * @param maxPositionEmbeddings longest sequence the model was trained for
 * @param slidingWindow         attention window in tokens, or null for full causal attention
 * @param tieWordEmbeddings     whether the LM head reuses the embedding matrix
 */
public record MixtralConfig(
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int numLocalExperts,
        int numExpertsPerTok,
        int vocabSize,
        double ropeTheta,
        double rmsNormEps,
        int maxPositionEmbeddings,
        Integer slidingWindow,
        boolean tieWordEmbeddings) {

    /** Checks every value and the relations between them; a failure names the offending key. */
    public MixtralConfig {
        positive(HIDDEN_SIZE, hiddenSize);
        positive(INTERMEDIATE_SIZE, intermediateSize);
        positive(NUM_HIDDEN_LAYERS, numHiddenLayers);
        positive(NUM_ATTENTION_HEADS, numAttentionHeads);
        positive(NUM_KEY_VALUE_HEADS, numKeyValueHeads);
        positive(HEAD_DIM, headDim);
        positive(NUM_LOCAL_EXPERTS, numLocalExperts);
        positive(NUM_EXPERTS_PER_TOK, numExpertsPerTok);
        positive(VOCAB_SIZE, vocabSize);
        positive(MAX_POSITION_EMBEDDINGS, maxPositionEmbeddings);
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw invalid(ROPE_THETA + " must be a positive number, got " + ropeTheta);
        }
        if (!(rmsNormEps > 0) || rmsNormEps >= 1) {
            throw invalid(RMS_NORM_EPS + " must be in (0, 1), got " + rmsNormEps);
        }
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw invalid(NUM_ATTENTION_HEADS + " (" + numAttentionHeads + ") must be a multiple of "
                    + NUM_KEY_VALUE_HEADS + " (" + numKeyValueHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw invalid(HEAD_DIM + " must be even for rotary embeddings, got " + headDim);
        }
        if (numExpertsPerTok > numLocalExperts) {
            throw invalid(NUM_EXPERTS_PER_TOK + " (" + numExpertsPerTok + ") exceeds " + NUM_LOCAL_EXPERTS
                    + " (" + numLocalExperts + ")");
        }
        if (slidingWindow != null && slidingWindow <= 0) {
            throw invalid(SLIDING_WINDOW + " must be positive or null, got " + slidingWindow);
        }
        long tensors = weightTensors(numHiddenLayers, numLocalExperts, tieWordEmbeddings);
        if (tensors > MAX_WEIGHT_TENSORS) {
            throw invalid(NUM_HIDDEN_LAYERS + "=" + numHiddenLayers + " and " + NUM_LOCAL_EXPERTS + "="
                    + numLocalExperts + String.format(Locale.ROOT, " make %,d weight tensors; at most %,d are supported "
                    + "(Mixtral 8x22B has 1,739)", tensors, MAX_WEIGHT_TENSORS));
        }
        fitsAnInt(NUM_ATTENTION_HEADS, numAttentionHeads, headDim);
        fitsAnInt(NUM_KEY_VALUE_HEADS, numKeyValueHeads, headDim);
        try {
            ParameterCount.of(hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads,
                    headDim, numLocalExperts, numExpertsPerTok, vocabSize, tieWordEmbeddings);
        } catch (ArithmeticException overflow) {
            throw invalid(HIDDEN_SIZE + "=" + hiddenSize + ", " + INTERMEDIATE_SIZE + "=" + intermediateSize + ", "
                    + NUM_HIDDEN_LAYERS + "=" + numHiddenLayers + ", " + NUM_LOCAL_EXPERTS + "=" + numLocalExperts
                    + ", " + VOCAB_SIZE + "=" + vocabSize + " make more than 2^61 parameters, whose float32 bytes "
                    + "overflow a 64-bit count");
        }
    }

    /**
     * The most weight tensors a configuration may imply: 75 times Mixtral 8x22B's. The model holds an object per
     * weight and a checkpoint is checked against the list of all of them, so this bounds what a configuration can
     * make the program build before any weight is read.
     */
    public static final int MAX_WEIGHT_TENSORS = 1 << 17;

    /** Query heads that share one key/value head. */
    public int queriesPerKvHead() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** A builder with nothing set: every number must be given; no sliding window and untied embeddings unless set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to change some of them. */
    public Builder toBuilder() {
        return new Builder().hiddenSize(hiddenSize).intermediateSize(intermediateSize).numHiddenLayers(numHiddenLayers)
                .numAttentionHeads(numAttentionHeads).numKeyValueHeads(numKeyValueHeads).headDim(headDim)
                .numLocalExperts(numLocalExperts).numExpertsPerTok(numExpertsPerTok).vocabSize(vocabSize)
                .ropeTheta(ropeTheta).rmsNormEps(rmsNormEps).maxPositionEmbeddings(maxPositionEmbeddings)
                .slidingWindow(slidingWindow).tieWordEmbeddings(tieWordEmbeddings);
    }

    /**
     * Weight tensors of a checkpoint of this configuration, in either layout: the embedding, the final norm and the
     * LM head unless tied, and per layer two norms, four attention projections, the router and three per expert.
     */
    public long weightTensors() {
        return weightTensors(numHiddenLayers, numLocalExperts, tieWordEmbeddings);
    }

    private static long weightTensors(long layers, long experts, boolean tied) {
        try {
            return Math.addExact(tied ? 2 : 3, Math.multiplyExact(layers, 7 + 3 * experts));
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * A configuration problem whose message starts with {@code config: }; {@link ConfigReader} puts the file's name in
     * its place, so the one line names file, key and value.
     */
    static BadInputException invalid(String what) {
        return new BadInputException("config: " + what);
    }

    /** Query and key/value rows are counted in ints (array dimensions): heads x head_dim must be one. */
    private static void fitsAnInt(String heads, int h, int headDim) {
        if ((long) h * headDim > Integer.MAX_VALUE) {
            throw invalid(heads + " x " + HEAD_DIM + " = " + h + " x " + headDim + " = " + (long) h * headDim
                    + " rows exceed the largest array dimension, 2^31-1");
        }
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw invalid(key + " must be a positive integer, got " + value);
        }
    }

    /** Names every value; {@link #build} validates them all, so an unset number is refused by its key. */
    public static final class Builder {
        private int hiddenSize;
        private int intermediateSize;
        private int numHiddenLayers;
        private int numAttentionHeads;
        private int numKeyValueHeads;
        private int headDim;
        private int numLocalExperts;
        private int numExpertsPerTok;
        private int vocabSize;
        private double ropeTheta;
        private double rmsNormEps;
        private int maxPositionEmbeddings;
        private Integer slidingWindow;
        private boolean tieWordEmbeddings;

        private Builder() {}

        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder intermediateSize(int v) { intermediateSize = v; return this; }
        public Builder numHiddenLayers(int v) { numHiddenLayers = v; return this; }
        public Builder numAttentionHeads(int v) { numAttentionHeads = v; return this; }
        public Builder numKeyValueHeads(int v) { numKeyValueHeads = v; return this; }
        public Builder headDim(int v) { headDim = v; return this; }
        public Builder numLocalExperts(int v) { numLocalExperts = v; return this; }
        public Builder numExpertsPerTok(int v) { numExpertsPerTok = v; return this; }
        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder ropeTheta(double v) { ropeTheta = v; return this; }
        public Builder rmsNormEps(double v) { rmsNormEps = v; return this; }
        public Builder maxPositionEmbeddings(int v) { maxPositionEmbeddings = v; return this; }
        public Builder slidingWindow(Integer v) { slidingWindow = v; return this; }
        public Builder tieWordEmbeddings(boolean v) { tieWordEmbeddings = v; return this; }

        public MixtralConfig build() {
            return new MixtralConfig(hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                    numKeyValueHeads, headDim, numLocalExperts, numExpertsPerTok, vocabSize, ropeTheta, rmsNormEps,
                    maxPositionEmbeddings, slidingWindow, tieWordEmbeddings);
        }
    }
}
