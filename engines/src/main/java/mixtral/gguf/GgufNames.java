package mixtral.gguf;

/**
 * The names llama.cpp reads from a GGUF file of the {@code llama} architecture, which is how it runs Mixtral: every
 * tensor name and metadata key we write, declared once.
 */
public final class GgufNames {
    private GgufNames() {}

    public static final String ARCHITECTURE = "llama";

    public static final String GENERAL_ARCHITECTURE = "general.architecture";
    public static final String GENERAL_NAME = "general.name";
    public static final String GENERAL_ALIGNMENT = "general.alignment";
    public static final String GENERAL_FILE_TYPE = "general.file_type";

    public static final String CONTEXT_LENGTH = "llama.context_length";
    public static final String EMBEDDING_LENGTH = "llama.embedding_length";
    public static final String BLOCK_COUNT = "llama.block_count";
    public static final String FEED_FORWARD_LENGTH = "llama.feed_forward_length";
    public static final String HEAD_COUNT = "llama.attention.head_count";
    public static final String HEAD_COUNT_KV = "llama.attention.head_count_kv";
    public static final String KEY_LENGTH = "llama.attention.key_length";
    public static final String VALUE_LENGTH = "llama.attention.value_length";
    public static final String RMS_EPS = "llama.attention.layer_norm_rms_epsilon";
    public static final String ROPE_DIMENSIONS = "llama.rope.dimension_count";
    public static final String ROPE_FREQ_BASE = "llama.rope.freq_base";
    public static final String EXPERT_COUNT = "llama.expert_count";
    public static final String EXPERT_USED_COUNT = "llama.expert_used_count";
    public static final String VOCAB_SIZE = "llama.vocab_size";

    /** {@code llama} for a SentencePiece vocabulary, {@code none} for placeholder tokens (runs from ids only). */
    public static final String TOKENIZER_MODEL = "tokenizer.ggml.model";
    public static final String TOKENS = "tokenizer.ggml.tokens";
    public static final String SCORES = "tokenizer.ggml.scores";
    public static final String TOKEN_TYPES = "tokenizer.ggml.token_type";
    public static final String BOS_ID = "tokenizer.ggml.bos_token_id";
    public static final String EOS_ID = "tokenizer.ggml.eos_token_id";
    public static final String UNK_ID = "tokenizer.ggml.unknown_token_id";
    public static final String ADD_BOS = "tokenizer.ggml.add_bos_token";
    public static final String ADD_EOS = "tokenizer.ggml.add_eos_token";

    public static final String TOKEN_EMBD = "token_embd.weight";
    public static final String OUTPUT_NORM = "output_norm.weight";
    public static final String OUTPUT = "output.weight";

    public static String attnNorm(int l) { return blk(l, "attn_norm"); }
    public static String attnQ(int l) { return blk(l, "attn_q"); }
    public static String attnK(int l) { return blk(l, "attn_k"); }
    public static String attnV(int l) { return blk(l, "attn_v"); }
    public static String attnOutput(int l) { return blk(l, "attn_output"); }
    public static String ffnNorm(int l) { return blk(l, "ffn_norm"); }
    /** The router, [E, D]. */
    public static String ffnGateInp(int l) { return blk(l, "ffn_gate_inp"); }
    /** Every expert's w1, stacked: [E, F, D]. */
    public static String ffnGateExps(int l) { return blk(l, "ffn_gate_exps"); }
    /** Every expert's w3, stacked: [E, F, D]. */
    public static String ffnUpExps(int l) { return blk(l, "ffn_up_exps"); }
    /** Every expert's w2, stacked: [E, D, F]. */
    public static String ffnDownExps(int l) { return blk(l, "ffn_down_exps"); }

    private static String blk(int l, String what) {
        return "blk." + l + "." + what + ".weight";
    }
}
