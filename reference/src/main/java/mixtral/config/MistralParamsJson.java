package mixtral.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import mixtral.BadInputException;

/**
 * Mistral-native {@code params.json}, key by key as Mistral's {@code TransformerArgs} names them: the one place its
 * keys are spelled. Jackson reads a file into this record and writes this record as a file. Mistral's loaders build
 * their arguments from every key of the file, so it holds only theirs: it has no maximum sequence length (the reader
 * takes {@value #MAX_POSITION_EMBEDDINGS}) and cannot say that the LM head reuses the embedding.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MistralParamsJson(
        @JsonProperty(value = DIM, required = true) Integer dim,
        @JsonProperty(value = N_LAYERS, required = true) Integer nLayers,
        @JsonProperty(HEAD_DIM) Integer headDim,
        @JsonProperty(value = HIDDEN_DIM, required = true) Integer hiddenDim,
        @JsonProperty(value = N_HEADS, required = true) Integer nHeads,
        @JsonProperty(value = N_KV_HEADS, required = true) Integer nKvHeads,
        @JsonProperty(NORM_EPS) Double normEps,
        @JsonProperty(value = VOCAB_SIZE, required = true) Integer vocabSize,
        @JsonProperty(ROPE_THETA) Double ropeTheta,
        // required, but checked in toConfig to say what its absence means
        @JsonProperty(MOE) Moe moe,
        @JsonProperty(SLIDING_WINDOW) Integer slidingWindow) implements ConfigFile {

    public static final String FILE = "params.json";

    public static final String DIM = "dim";
    public static final String N_LAYERS = "n_layers";
    public static final String HEAD_DIM = "head_dim";
    public static final String HIDDEN_DIM = "hidden_dim";
    public static final String N_HEADS = "n_heads";
    public static final String N_KV_HEADS = "n_kv_heads";
    public static final String NORM_EPS = "norm_eps";
    public static final String VOCAB_SIZE = "vocab_size";
    public static final String ROPE_THETA = "rope_theta";
    public static final String MOE = "moe";
    public static final String SLIDING_WINDOW = "sliding_window";
    /** {@code moe.num_experts}, as errors name it. */
    public static final String MOE_NUM_EXPERTS = MOE + "." + Moe.NUM_EXPERTS;

    /** Mixtral's trained context, for the files that cannot say it. */
    public static final int MAX_POSITION_EMBEDDINGS = 32768;
    /** The reader's defaults for the keys a file may leave out: Mixtral's values. */
    private static final double DEFAULT_ROPE_THETA = 1e6;
    private static final double DEFAULT_NORM_EPS = 1e-5;

    /** The {@code moe} object: how many experts a layer has and how many each token is routed to. */
    public record Moe(
            @JsonProperty(value = NUM_EXPERTS, required = true) Integer numExperts,
            @JsonProperty(value = NUM_EXPERTS_PER_TOK, required = true) Integer numExpertsPerTok) {
        public static final String NUM_EXPERTS = "num_experts";
        public static final String NUM_EXPERTS_PER_TOK = "num_experts_per_tok";
    }

    /** Whether a JSON object is a params.json rather than a config.json: it has Mistral's width or experts key. */
    public static boolean isMistral(JsonNode root) {
        return root.has(DIM) || root.has(MOE);
    }

    /**
     * Every key of {@code c} that params.json has.
     *
     * @throws BadInputException if {@code c} ties the LM head to the embedding, which Mistral's models cannot
     */
    public static MistralParamsJson from(MixtralConfig c) {
        if (c.tieWordEmbeddings()) {
            throw new BadInputException("a Mistral-native " + FILE + " cannot tie the LM head to the embedding ("
                    + HuggingFaceConfigJson.TIE_WORD_EMBEDDINGS + " is true): write this model in the Hugging Face "
                    + "layout");
        }
        return new MistralParamsJson(c.hiddenSize(), c.numHiddenLayers(), c.headDim(), c.intermediateSize(),
                c.numAttentionHeads(), c.numKeyValueHeads(), c.rmsNormEps(), c.vocabSize(), c.ropeTheta(),
                new Moe(c.numLocalExperts(), c.numExpertsPerTok()), c.slidingWindow());
    }

    @Override
    public MixtralConfig toConfig() {
        if (moe == null) {
            throw MixtralConfig.invalid("key '" + MOE + "' is missing: " + FILE
                    + " of a dense model, not a Mixture-of-Experts");
        }
        return MixtralConfig.builder()
                .hiddenSize(dim)
                .intermediateSize(hiddenDim)
                .numHiddenLayers(nLayers)
                .numAttentionHeads(nHeads)
                .numKeyValueHeads(nKvHeads)
                .headDim(ConfigFile.headDim(headDim, HEAD_DIM, DIM, dim, N_HEADS, nHeads))
                .numLocalExperts(moe.numExperts())
                .numExpertsPerTok(moe.numExpertsPerTok())
                .vocabSize(vocabSize)
                .ropeTheta(Objects.requireNonNullElse(ropeTheta, DEFAULT_ROPE_THETA))
                .rmsNormEps(Objects.requireNonNullElse(normEps, DEFAULT_NORM_EPS))
                .maxPositionEmbeddings(MAX_POSITION_EMBEDDINGS)
                .slidingWindow(slidingWindow)
                .tieWordEmbeddings(false)
                .build();
    }
}
