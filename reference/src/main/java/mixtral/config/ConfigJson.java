package mixtral.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes a configuration as a Hugging Face {@code config.json} object, which {@link ConfigReader} reads back. */
public final class ConfigJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigJson() {}

    public static ObjectNode toHuggingFace(MixtralConfig c) {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add("MixtralForCausalLM");
        n.put("model_type", "mixtral");
        n.put("hidden_size", c.hiddenSize());
        n.put("intermediate_size", c.intermediateSize());
        n.put("num_hidden_layers", c.numHiddenLayers());
        n.put("num_attention_heads", c.numAttentionHeads());
        n.put("num_key_value_heads", c.numKeyValueHeads());
        n.put("head_dim", c.headDim());
        n.put("num_local_experts", c.numLocalExperts());
        n.put("num_experts_per_tok", c.numExpertsPerTok());
        n.put("vocab_size", c.vocabSize());
        n.put("rope_theta", c.ropeTheta());
        n.put("rms_norm_eps", c.rmsNormEps());
        n.put("max_position_embeddings", c.maxPositionEmbeddings());
        if (c.slidingWindow() == null) {
            n.putNull("sliding_window");
        } else {
            n.put("sliding_window", c.slidingWindow());
        }
        n.put("tie_word_embeddings", c.tieWordEmbeddings());
        n.put("hidden_act", "silu");
        n.put("torch_dtype", "float32");
        return n;
    }

    public static String toHuggingFaceString(MixtralConfig c) {
        return toHuggingFace(c).toPrettyString();
    }
}
