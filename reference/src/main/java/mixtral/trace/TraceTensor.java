package mixtral.trace;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import mixtral.config.MixtralConfig;

/**
 * The trace format, one constant per tensor: its name, shape, dtype, role and meaning. This is the one definition
 * other engines write and every part of the project reads (the recorder, the comparison, the inspector and its page,
 * which gets this list from {@code GET /api/trace-format}); docs/trace-format.md is checked against it. Constants are
 * in the order a forward pass produces them. Shape legend: T tokens, D hidden, H heads, E experts, K experts per
 * token, V vocab.
 */
public enum TraceTensor {
    TOKENS(Scope.MODEL, "tokens", DType.I64, Role.INPUT, "input token ids", Dim.T),
    EMBED(Scope.MODEL, "embed", DType.F32, Role.RESIDUAL, "token embeddings: the residual stream before layer 0",
            Dim.T, Dim.D),
    ATTN_NORM(Scope.LAYER, "attn_norm", DType.F32, Role.NORMED,
            "attention input: the residual stream after RMSNorm (input_layernorm)", Dim.T, Dim.D),
    ATTN_PROBS(Scope.LAYER, "attn.probs", DType.F32, Role.ATTENTION,
            "attention probabilities after softmax (row: query, column: key); recorded only when asked",
            Dim.H, Dim.T, Dim.T),
    ATTN_OUT(Scope.LAYER, "attn.out", DType.F32, Role.BLOCK_OUTPUT,
            "what attention adds to the residual stream (after o_proj)", Dim.T, Dim.D),
    RESID_MID(Scope.LAYER, "resid_mid", DType.F32, Role.RESIDUAL,
            "residual stream after attention: resid_pre + attn.out", Dim.T, Dim.D),
    MOE_NORM(Scope.LAYER, "moe_norm", DType.F32, Role.NORMED,
            "MoE input: resid_mid after RMSNorm (post_attention_layernorm)", Dim.T, Dim.D),
    ROUTER_LOGITS(Scope.LAYER, "moe.router_logits", DType.F32, Role.ROUTING,
            "router (gate) output, before any softmax", Dim.T, Dim.E),
    ROUTER_PROBS(Scope.LAYER, "moe.router_probs", DType.F32, Role.ROUTING,
            "softmax over all E router logits", Dim.T, Dim.E),
    SELECTED_EXPERTS(Scope.LAYER, "moe.selected_experts", DType.I64, Role.ROUTING,
            "chosen experts, highest weight first", Dim.T, Dim.K),
    ROUTING_WEIGHTS(Scope.LAYER, "moe.routing_weights", DType.F32, Role.ROUTING,
            "softmax over the K chosen logits, in the order of selected_experts; each row sums to 1", Dim.T, Dim.K),
    MOE_OUT(Scope.LAYER, "moe.out", DType.F32, Role.BLOCK_OUTPUT,
            "what the experts add: the chosen experts' outputs times their routing weights, summed", Dim.T, Dim.D),
    RESID_POST(Scope.LAYER, "resid_post", DType.F32, Role.RESIDUAL,
            "residual stream after the layer: resid_mid + moe.out", Dim.T, Dim.D),
    FINAL_NORM(Scope.MODEL, "final_norm", DType.F32, Role.NORMED, "the last resid_post after the final RMSNorm",
            Dim.T, Dim.D),
    LOGITS(Scope.MODEL, "logits", DType.F32, Role.OUTPUT, "next-token logits", Dim.T, Dim.V);

    /** Whether there is one tensor per model or one per decoder layer ({@code layers.{i}.leaf}). */
    public enum Scope { MODEL, LAYER }

    /** As stored on disk. */
    public enum DType { F32, I64 }

    /** What a tensor is to a reader: the views and the comparison choose tensors by role. */
    public enum Role { INPUT, RESIDUAL, NORMED, ATTENTION, BLOCK_OUTPUT, ROUTING, OUTPUT }

    /** A symbolic dimension, sized by the model's configuration and the number of tokens. */
    public enum Dim {
        T, D, H, E, K, V;

        public long size(MixtralConfig c, int tokens) {
            return switch (this) {
                case T -> tokens;
                case D -> c.hiddenSize();
                case H -> c.numAttentionHeads();
                case E -> c.numLocalExperts();
                case K -> c.numExpertsPerTok();
                case V -> c.vocabSize();
            };
        }
    }

    /** A tensor of the format at one layer ({@code layer} is -1 for model-level tensors). */
    public record Ref(TraceTensor tensor, int layer) {}

    private static final String LAYER_PREFIX = "layers.";

    private final Scope scope;
    private final String leaf;
    private final DType dtype;
    private final Role role;
    private final String description;
    private final List<Dim> shape;

    TraceTensor(Scope scope, String leaf, DType dtype, Role role, String description, Dim... shape) {
        this.scope = scope;
        this.leaf = leaf;
        this.dtype = dtype;
        this.role = role;
        this.description = description;
        this.shape = List.of(shape);
    }

    public Scope scope() {
        return scope;
    }

    /** The name of a model-level tensor, or the part after {@code layers.{i}.} of a per-layer one. */
    public String leaf() {
        return leaf;
    }

    public DType dtype() {
        return dtype;
    }

    public Role role() {
        return role;
    }

    public String description() {
        return description;
    }

    public List<Dim> shape() {
        return shape;
    }

    /** The name as written in docs: {@code layers.{i}.moe.out}, or {@code logits}. */
    public String pattern() {
        return scope == Scope.LAYER ? LAYER_PREFIX + "{i}." + leaf : leaf;
    }

    /** The per-layer tensor's name at layer {@code i}. */
    public String at(int i) {
        if (scope != Scope.LAYER) {
            throw new IllegalStateException(leaf + " is a model-level tensor: it has no layer");
        }
        return LAYER_PREFIX + i + "." + leaf;
    }

    /** Whether {@code --record routing} keeps it: the routing decisions and the tokens they were made for. */
    public boolean inRoutingRecord() {
        return role == Role.ROUTING || this == TOKENS;
    }

    /** The shape it must have in a full forward pass of {@code tokens} tokens through a model configured by {@code c}. */
    public long[] expectedShape(MixtralConfig c, int tokens) {
        return shape.stream().mapToLong(d -> d.size(c, tokens)).toArray();
    }

    /** The tensor a recorded name refers to, if the name is part of the format. */
    public static Optional<Ref> parse(String name) {
        int layer = layerOf(name);
        String leaf = leafOf(name);
        Scope scope = layer < 0 ? Scope.MODEL : Scope.LAYER;
        return Arrays.stream(values()).filter(t -> t.scope == scope && t.leaf.equals(leaf)).findFirst()
                .map(t -> new Ref(t, layer));
    }

    /** The tensor with this leaf name (e.g. {@code moe.out}), if any. */
    public static Optional<TraceTensor> ofLeaf(String leaf) {
        return Arrays.stream(values()).filter(t -> t.leaf.equals(leaf)).findFirst();
    }

    /** The part after {@code layers.{i}.}, or the whole name when it names no layer. */
    static String leafOf(String name) {
        return layerOf(name) < 0 ? name : name.substring(name.indexOf('.', LAYER_PREFIX.length()) + 1);
    }

    /** The layer index of a name {@code layers.{i}....}, or -1. */
    static int layerOf(String name) {
        if (!name.startsWith(LAYER_PREFIX)) {
            return -1;
        }
        int end = name.indexOf('.', LAYER_PREFIX.length());
        if (end < 0) {
            return -1;
        }
        try {
            int i = Integer.parseInt(name.substring(LAYER_PREFIX.length(), end));
            return i >= 0 && String.valueOf(i).equals(name.substring(LAYER_PREFIX.length(), end)) ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
