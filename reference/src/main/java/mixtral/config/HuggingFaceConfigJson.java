package mixtral.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * Hugging Face's {@code config.json} for Mixtral, key by key: the one place its keys are spelled. Jackson reads a
 * file into this record and writes this record as a file, so what is written is what is read. Required keys are the
 * ones that fix a tensor's shape; the others default as transformers' {@code MixtralConfig} does. The training keys
 * at the end ({@code attention_dropout} ...) are carried for the published files' sake and do not change inference.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HuggingFaceConfigJson(
        @JsonProperty(ARCHITECTURES) List<String> architectures,
        @JsonProperty(MODEL_TYPE) String modelType,
        @JsonProperty(value = HIDDEN_SIZE, required = true) Integer hiddenSize,
        @JsonProperty(value = INTERMEDIATE_SIZE, required = true) Integer intermediateSize,
        @JsonProperty(value = NUM_HIDDEN_LAYERS, required = true) Integer numHiddenLayers,
        @JsonProperty(value = NUM_ATTENTION_HEADS, required = true) Integer numAttentionHeads,
        @JsonProperty(value = NUM_KEY_VALUE_HEADS, required = true) Integer numKeyValueHeads,
        @JsonProperty(HEAD_DIM) Integer headDim,
        @JsonProperty(value = NUM_LOCAL_EXPERTS, required = true) Integer numLocalExperts,
        @JsonProperty(value = NUM_EXPERTS_PER_TOK, required = true) Integer numExpertsPerTok,
        @JsonProperty(value = VOCAB_SIZE, required = true) Integer vocabSize,
        @JsonProperty(ROPE_THETA) Double ropeTheta,
        @JsonProperty(RMS_NORM_EPS) Double rmsNormEps,
        @JsonProperty(MAX_POSITION_EMBEDDINGS) Integer maxPositionEmbeddings,
        // written even when null: the published files say "no window" this way
        @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty(SLIDING_WINDOW) Integer slidingWindow,
        @JsonProperty(TIE_WORD_EMBEDDINGS) Boolean tieWordEmbeddings,
        @JsonProperty(HIDDEN_ACT) String hiddenAct,
        @JsonProperty(TORCH_DTYPE) String torchDtype,
        @JsonProperty("attention_dropout") Double attentionDropout,
        @JsonProperty("bos_token_id") Integer bosTokenId,
        @JsonProperty("eos_token_id") Integer eosTokenId,
        @JsonProperty("initializer_range") Double initializerRange,
        @JsonProperty("output_router_logits") Boolean outputRouterLogits,
        @JsonProperty("router_aux_loss_coef") Double routerAuxLossCoef,
        @JsonProperty("use_cache") Boolean useCache) implements ConfigFile {

    public static final String FILE = "config.json";

    public static final String ARCHITECTURES = "architectures";
    public static final String MODEL_TYPE = "model_type";
    public static final String HIDDEN_SIZE = "hidden_size";
    public static final String INTERMEDIATE_SIZE = "intermediate_size";
    public static final String NUM_HIDDEN_LAYERS = "num_hidden_layers";
    public static final String NUM_ATTENTION_HEADS = "num_attention_heads";
    public static final String NUM_KEY_VALUE_HEADS = "num_key_value_heads";
    public static final String HEAD_DIM = "head_dim";
    public static final String NUM_LOCAL_EXPERTS = "num_local_experts";
    public static final String NUM_EXPERTS_PER_TOK = "num_experts_per_tok";
    public static final String VOCAB_SIZE = "vocab_size";
    public static final String ROPE_THETA = "rope_theta";
    public static final String RMS_NORM_EPS = "rms_norm_eps";
    public static final String MAX_POSITION_EMBEDDINGS = "max_position_embeddings";
    public static final String SLIDING_WINDOW = "sliding_window";
    public static final String TIE_WORD_EMBEDDINGS = "tie_word_embeddings";
    public static final String HIDDEN_ACT = "hidden_act";
    public static final String TORCH_DTYPE = "torch_dtype";

    private static final String ARCHITECTURE = "MixtralForCausalLM";
    private static final String MIXTRAL = "mixtral";
    /** The only activation the experts implement (SwiGLU's gate). */
    private static final String SILU = "silu";
    /** transformers' defaults for the keys a file may leave out. */
    private static final double DEFAULT_ROPE_THETA = 1e6;
    private static final double DEFAULT_RMS_NORM_EPS = 1e-5;
    private static final int DEFAULT_MAX_POSITION_EMBEDDINGS = 4096 * 32;

    /** Every key of {@code c}, as this implementation computes it: in float32. */
    public static HuggingFaceConfigJson from(MixtralConfig c) {
        return of(c, c.headDim(), "float32", false);
    }

    /**
     * As the published repositories write config.json: {@code head_dim} only where it is not hidden_size / heads
     * (their files leave it out), and the training keys of Mixtral-8x7B's file.
     *
     * @param torchDtype the stored weights' type as torch names it ({@code bfloat16}), or null to leave the key out
     */
    public static HuggingFaceConfigJson published(MixtralConfig c, String torchDtype) {
        boolean derived = c.headDim() * c.numAttentionHeads() == c.hiddenSize();
        return of(c, derived ? null : c.headDim(), torchDtype, true);
    }

    private static HuggingFaceConfigJson of(MixtralConfig c, Integer headDim, String torchDtype, boolean training) {
        return new HuggingFaceConfigJson(List.of(ARCHITECTURE), MIXTRAL, c.hiddenSize(), c.intermediateSize(),
                c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(), headDim, c.numLocalExperts(),
                c.numExpertsPerTok(), c.vocabSize(), c.ropeTheta(), c.rmsNormEps(), c.maxPositionEmbeddings(),
                c.slidingWindow(), c.tieWordEmbeddings(), SILU, torchDtype,
                // Mixtral-8x7B's attention_dropout, bos and eos ids, initializer_range, output_router_logits,
                // router_aux_loss_coef and use_cache
                training ? 0.0 : null, training ? 1 : null, training ? 2 : null, training ? 0.02 : null,
                training ? false : null, training ? 0.02 : null, training ? true : null);
    }

    @Override
    public MixtralConfig toConfig() {
        expect(MODEL_TYPE, modelType, MIXTRAL);
        expect(HIDDEN_ACT, hiddenAct, SILU);
        return MixtralConfig.builder()
                .hiddenSize(hiddenSize)
                .intermediateSize(intermediateSize)
                .numHiddenLayers(numHiddenLayers)
                .numAttentionHeads(numAttentionHeads)
                .numKeyValueHeads(numKeyValueHeads)
                .headDim(ConfigFile.headDim(headDim, HEAD_DIM, HIDDEN_SIZE, hiddenSize, NUM_ATTENTION_HEADS,
                        numAttentionHeads))
                .numLocalExperts(numLocalExperts)
                .numExpertsPerTok(numExpertsPerTok)
                .vocabSize(vocabSize)
                .ropeTheta(Objects.requireNonNullElse(ropeTheta, DEFAULT_ROPE_THETA))
                .rmsNormEps(Objects.requireNonNullElse(rmsNormEps, DEFAULT_RMS_NORM_EPS))
                .maxPositionEmbeddings(
                        Objects.requireNonNullElse(maxPositionEmbeddings, DEFAULT_MAX_POSITION_EMBEDDINGS))
                .slidingWindow(slidingWindow)
                .tieWordEmbeddings(Objects.requireNonNullElse(tieWordEmbeddings, false))
                .build();
    }

    /** A key this implementation supports one value of; absent means that value. */
    private static void expect(String key, String value, String supported) {
        if (value != null && !value.equals(supported)) {
            throw MixtralConfig.invalid("key '" + key + "' is '" + value + "', expected '" + supported + "'");
        }
    }
}
