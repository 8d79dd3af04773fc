package mixtral.inspector.analysis;

import java.util.List;
import java.util.Map;

/**
 * What the inspector shows of a trace, as records that the JSON API serialises as they are. Shape legend:
 * T tokens, L layers, E experts, K experts per token; lists nest outermost first ({@code [L][T]} is one list per layer).
 */
public final class Views {
    private Views() {}

    /**
     * One token of the trace.
     *
     * @param piece the tokenizer's piece ({@code ▁Bon}, {@code <0xC3>})
     * @param text  a readable label for the piece (see {@link mixtral.inspector.text.TokenLabels})
     */
    public record TokenView(int position, long id, String piece, String text) {}

    /** A next-token candidate: probability after softmax over the whole vocabulary. */
    public record Prediction(long id, String piece, String text, double prob) {}

    /**
     * The router's decision for one token at one layer.
     *
     * @param experts [K] chosen experts, highest weight first
     * @param weights [K] their routing weights (softmax over the chosen logits; they sum to 1)
     * @param probs   [E] softmax over all E router logits: how sure the router was
     * @param margin  K-th minus (K+1)-th largest router logit, or null when K = E; small means a near tie
     * @param nearTie margin below {@link TraceAnalysis#NEAR_TIE_MARGIN}
     * @param entropy how undecided the router was, in bits ({@link mixtral.evidence.RouterEntropy}: 0 to log2 E)
     */
    public record RoutingCell(int[] experts, float[] weights, float[] probs, Double margin, boolean nearTie,
                              double entropy) {}

    /**
     * Everything the page's overview draws.
     *
     * @param routing [L][T] routing cells
     * @param load    [L][E] how many of the T tokens chose each expert among their K
     * @param norms   tensor leaf name ({@code resid_post}, {@code attn.out}, {@code moe.out}) to [L][T] L2 norms
     * @param next    the most likely next tokens after the last one
     */
    public record RoutingSummary(String id, List<TokenView> tokens, int layers, int experts, int k,
                                 double nearTieMargin, List<List<RoutingCell>> routing, List<int[]> load,
                                 Map<String, List<float[]>> norms, List<Prediction> next) {}

    /**
     * One token at one layer, in full.
     *
     * @param logits    [E] router logits
     * @param logitLens most likely tokens if this layer's residual stream went straight to the final norm and LM head
     * @param residNorm L2 norm of the residual stream after the layer
     */
    public record LayerDetail(int layer, int[] experts, float[] weights, float[] probs, float[] logits, Double margin,
                              boolean nearTie, List<Prediction> logitLens, double residNorm) {}

    /** Per-layer detail of one token, and what the model predicts after it. */
    public record TokenDetail(String traceId, TokenView token, List<LayerDetail> layers, List<Prediction> next) {}

    /** Attention probabilities of one head: {@code probs[q][k]} is how much query token q attends to key token k. */
    public record AttentionView(String traceId, int layer, int head, int heads, List<TokenView> tokens,
                                float[][] probs) {}
}
