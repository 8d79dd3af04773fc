package mixtral.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import mixtral.config.HuggingFaceConfigJson;
import mixtral.config.MistralParamsJson;
import mixtral.config.MixtralConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two ways a Mixtral checkpoint names its files and tensors. Every tensor name lives here, once per layout, and
 * so does the list of tensors (with shapes) a configuration implies; configuration keys live in the config package. Both layouts name every tensor with
 * a {@code .weight} suffix. The Mistral names are the module tree of Mistral's {@code moe_one_file_ref.py}
 * ({@code tok_embeddings}, {@code layers.<i>.attention.wq}, {@code layers.<i>.feed_forward.experts.<j>.w1}, ...): a
 * file written by {@link CheckpointWriter} loads into it with {@code strict=True}. That reference (commit 8598cf5)
 * itself reads only {@code consolidated.00.pth} and fixes rope_theta at 1e6; later versions read
 * {@code consolidated.safetensors}, under the same names.
 *
 * <p>The layouts hold the same numbers except one thing: Mistral-native query and key rows are in the interleaved
 * RoPE order (see {@link RopeRows}).
 */
public enum Layout {
    /** {@code config.json} + {@code model.safetensors}, or shards listed in {@code model.safetensors.index.json}. */
    HUGGING_FACE(HuggingFaceConfigJson.FILE, "model.safetensors", "model.safetensors.index.json", "model", false) {
        @Override public String embedding() { return "model.embed_tokens.weight"; }
        @Override public String finalNorm() { return "model.norm.weight"; }
        @Override public String lmHead() { return "lm_head.weight"; }
        @Override public String attnNorm(int l) { return layer(l) + "input_layernorm.weight"; }
        @Override public String wq(int l) { return layer(l) + "self_attn.q_proj.weight"; }
        @Override public String wk(int l) { return layer(l) + "self_attn.k_proj.weight"; }
        @Override public String wv(int l) { return layer(l) + "self_attn.v_proj.weight"; }
        @Override public String wo(int l) { return layer(l) + "self_attn.o_proj.weight"; }
        @Override public String moeNorm(int l) { return layer(l) + "post_attention_layernorm.weight"; }
        @Override public String gate(int l) { return layer(l) + "block_sparse_moe.gate.weight"; }
        @Override String expert(int l, int e, String w) {
            return layer(l) + "block_sparse_moe.experts." + e + "." + w + ".weight";
        }
        private String layer(int l) { return "model.layers." + l + "."; }

        @Override Keys configKeys() {
            return new Keys(HuggingFaceConfigJson.HIDDEN_SIZE, HuggingFaceConfigJson.INTERMEDIATE_SIZE,
                    HuggingFaceConfigJson.NUM_ATTENTION_HEADS, HuggingFaceConfigJson.NUM_KEY_VALUE_HEADS,
                    HuggingFaceConfigJson.HEAD_DIM, HuggingFaceConfigJson.NUM_LOCAL_EXPERTS,
                    HuggingFaceConfigJson.VOCAB_SIZE);
        }
    },

    /**
     * {@code params.json} + {@code consolidated.safetensors} (as Mixtral-8x22B was published: one file), or shards
     * listed in {@code consolidated.safetensors.index.json}, as newer Mistral repositories do. Mixtral-8x7B's original
     * {@code consolidated.00.pth} is a PyTorch pickle and is not read.
     */
    MISTRAL(MistralParamsJson.FILE, "consolidated.safetensors", "consolidated.safetensors.index.json",
            "consolidated", true) {
        @Override public String embedding() { return "tok_embeddings.weight"; }
        @Override public String finalNorm() { return "norm.weight"; }
        @Override public String lmHead() { return "output.weight"; }
        @Override public String attnNorm(int l) { return layer(l) + "attention_norm.weight"; }
        @Override public String wq(int l) { return layer(l) + "attention.wq.weight"; }
        @Override public String wk(int l) { return layer(l) + "attention.wk.weight"; }
        @Override public String wv(int l) { return layer(l) + "attention.wv.weight"; }
        @Override public String wo(int l) { return layer(l) + "attention.wo.weight"; }
        @Override public String moeNorm(int l) { return layer(l) + "ffn_norm.weight"; }
        @Override public String gate(int l) { return layer(l) + "feed_forward.gate.weight"; }
        @Override String expert(int l, int e, String w) {
            return layer(l) + "feed_forward.experts." + e + "." + w + ".weight";
        }
        private String layer(int l) { return "layers." + l + "."; }

        @Override Keys configKeys() {
            return new Keys(MistralParamsJson.DIM, MistralParamsJson.HIDDEN_DIM, MistralParamsJson.N_HEADS,
                    MistralParamsJson.N_KV_HEADS, MistralParamsJson.HEAD_DIM, MistralParamsJson.MOE_NUM_EXPERTS,
                    MistralParamsJson.VOCAB_SIZE);
        }
    };

    /** The configuration file of this layout. */
    public final String configFile;
    /** The single weight file. */
    public final String singleFile;
    /** The shard index ({@code weight_map}: tensor name -> shard file name). */
    public final String indexFile;
    private final String shardPrefix;
    /** Whether query and key rows are stored in the interleaved RoPE order (pairs 2i, 2i+1). */
    public final boolean interleavedRope;

    Layout(String configFile, String singleFile, String indexFile, String shardPrefix, boolean interleavedRope) {
        this.configFile = configFile;
        this.singleFile = singleFile;
        this.indexFile = indexFile;
        this.shardPrefix = shardPrefix;
        this.interleavedRope = interleavedRope;
    }

    public abstract String embedding();
    public abstract String finalNorm();
    public abstract String lmHead();
    public abstract String attnNorm(int layer);
    public abstract String wq(int layer);
    public abstract String wk(int layer);
    public abstract String wv(int layer);
    public abstract String wo(int layer);
    public abstract String moeNorm(int layer);
    public abstract String gate(int layer);
    abstract String expert(int layer, int expert, String which);

    public String w1(int layer, int expert) { return expert(layer, expert, "w1"); }
    public String w2(int layer, int expert) { return expert(layer, expert, "w2"); }
    public String w3(int layer, int expert) { return expert(layer, expert, "w3"); }

    /** The tensors decoder layer {@code layer} reads, in the order it reads them. */
    public List<String> layerTensors(int layer, int experts) {
        List<String> names = new ArrayList<>(List.of(attnNorm(layer), wq(layer), wk(layer), wv(layer), wo(layer),
                moeNorm(layer), gate(layer)));
        for (int e = 0; e < experts; e++) {
            names.addAll(List.of(w1(layer, e), w3(layer, e), w2(layer, e)));
        }
        return names;
    }

    /** Shard {@code k} of {@code n}, counted from 1, named as the published repositories do: model-00001-of-00019.safetensors. */
    public String shardFile(int k, int n) {
        return String.format("%s-%05d-of-%05d.safetensors", shardPrefix, k, n);
    }

    /** The keys of this layout's config file that fix tensor shapes, as the config package spells them, for errors. */
    abstract Keys configKeys();

    record Keys(String hidden, String intermediate, String heads, String kvHeads, String headDim, String experts,
                String vocab) {}

    /**
     * One tensor the configuration requires.
     *
     * @param because   the configuration values that fix the shape, e.g. {@code hidden_size=32, intermediate_size=64}
     * @param value     reads this tensor's values from a {@link WeightSource} (Hugging Face row order)
     * @param ropeHeads for a query or key projection, its number of heads (whose rows RoPE pairs up); else 0
     */
    public record Expected(String name, long[] shape, String because, Function<WeightSource, INDArray> value,
                           int ropeHeads) {}

    /** Every tensor a checkpoint of this layout must hold for {@code c}, in the order a model reads them. */
    public Map<String, Expected> expectedTensors(MixtralConfig c) {
        Keys k = configKeys();
        String d = k.hidden + "=" + c.hiddenSize();
        String v = k.vocab + "=" + c.vocabSize();
        String f = k.intermediate + "=" + c.intermediateSize();
        String q = k.heads + "=" + c.numAttentionHeads() + ", " + k.headDim + "=" + c.headDim();
        String kv = k.kvHeads + "=" + c.numKeyValueHeads() + ", " + k.headDim + "=" + c.headDim();
        String ex = k.experts + "=" + c.numLocalExperts();
        long dim = c.hiddenSize();
        long ff = c.intermediateSize();
        long qDim = (long) c.numAttentionHeads() * c.headDim();
        long kvDim = (long) c.numKeyValueHeads() * c.headDim();
        Map<String, Expected> all = new LinkedHashMap<>();
        Adder add = (name, shape, because, value, rope) -> all.put(name, new Expected(name, shape, because, value, rope));
        add.to(embedding(), new long[] {c.vocabSize(), dim}, v + ", " + d, WeightSource::embedding, 0);
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            int layer = l;
            add.to(attnNorm(l), new long[] {dim}, d, w -> w.attnNorm(layer), 0);
            add.to(wq(l), new long[] {qDim, dim}, q + ", " + d, w -> w.wq(layer), c.numAttentionHeads());
            add.to(wk(l), new long[] {kvDim, dim}, kv + ", " + d, w -> w.wk(layer), c.numKeyValueHeads());
            add.to(wv(l), new long[] {kvDim, dim}, kv + ", " + d, w -> w.wv(layer), 0);
            add.to(wo(l), new long[] {dim, qDim}, d + ", " + q, w -> w.wo(layer), 0);
            add.to(moeNorm(l), new long[] {dim}, d, w -> w.moeNorm(layer), 0);
            add.to(gate(l), new long[] {c.numLocalExperts(), dim}, ex + ", " + d, w -> w.gate(layer), 0);
            for (int e = 0; e < c.numLocalExperts(); e++) {
                int expert = e;
                add.to(w1(l, e), new long[] {ff, dim}, f + ", " + d, w -> w.w1(layer, expert), 0);
                add.to(w2(l, e), new long[] {dim, ff}, d + ", " + f, w -> w.w2(layer, expert), 0);
                add.to(w3(l, e), new long[] {ff, dim}, f + ", " + d, w -> w.w3(layer, expert), 0);
            }
        }
        add.to(finalNorm(), new long[] {dim}, d, WeightSource::finalNorm, 0);
        if (!c.tieWordEmbeddings()) {
            add.to(lmHead(), new long[] {c.vocabSize(), dim}, v + ", " + d, WeightSource::lmHead, 0);
        }
        return all;
    }

    private interface Adder {
        void to(String name, long[] shape, String because, Function<WeightSource, INDArray> value, int ropeHeads);
    }
}
