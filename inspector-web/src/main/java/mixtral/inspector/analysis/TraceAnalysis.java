package mixtral.inspector.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import mixtral.compare.Margins;
import mixtral.config.MixtralConfig;
import mixtral.evidence.RouterEntropy;
import mixtral.inspector.analysis.Views.LayerDetail;
import mixtral.inspector.analysis.Views.Prediction;
import mixtral.inspector.analysis.Views.RoutingCell;
import mixtral.inspector.analysis.Views.RoutingSummary;
import mixtral.inspector.analysis.Views.TokenDetail;
import mixtral.inspector.analysis.Views.TokenView;
import mixtral.inspector.text.TextCodec;
import mixtral.inspector.text.TokenLabels;
import mixtral.model.MixtralModel;
import mixtral.trace.Trace;
import mixtral.trace.TensorNames;
import mixtral.trace.TraceTensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a recorded forward pass (see {@link TensorNames}) into the views of the page. Shape legend: T tokens,
 * L layers, E experts, K experts per token, D hidden, V vocab.
 */
public final class TraceAnalysis {
    /** Router logit margins (K-th minus (K+1)-th) below this are flagged as near ties: e^0.2 = 1.22x in probability. */
    public static final double NEAR_TIE_MARGIN = 0.2;
    /** The tensors whose L2 norms per layer and token the page can show, in the order of its choices. */
    public static final List<TraceTensor> NORM_VIEWS =
            List.of(TraceTensor.RESID_POST, TraceTensor.ATTN_OUT, TraceTensor.MOE_OUT);
    /** How many candidates next-token and logit-lens lists show. */
    public static final int TOP = 5;

    private final Trace trace;
    private final MixtralConfig config;
    private final TextCodec codec;

    public TraceAnalysis(Trace trace, MixtralConfig config, TextCodec codec) {
        this.trace = trace;
        this.config = config;
        this.codec = codec;
    }

    public long[] tokenIds() {
        return trace.get(TensorNames.TOKENS).toLongVector();
    }

    public List<TokenView> tokens() {
        long[] ids = tokenIds();
        List<String> pieces = Arrays.stream(ids).mapToObj(id -> codec.piece((int) id)).toList();
        List<String> labels = TokenLabels.of(pieces);
        List<TokenView> views = new ArrayList<>(ids.length);
        for (int t = 0; t < ids.length; t++) {
            views.add(new TokenView(t, ids[t], pieces.get(t), labels.get(t)));
        }
        return views;
    }

    public RoutingSummary summary(String id) {
        int layers = config.numHiddenLayers();
        List<String> needed = new ArrayList<>(List.of(TensorNames.LOGITS));
        for (int l = 0; l < layers; l++) {
            needed.addAll(routingNames(l));
            for (TraceTensor t : NORM_VIEWS) {
                needed.add(t.at(l));
            }
        }
        require(id, "the overview", needed);
        List<List<RoutingCell>> routing = new ArrayList<>(layers);
        List<int[]> load = new ArrayList<>(layers);
        for (int l = 0; l < layers; l++) {
            List<RoutingCell> cells = routingOf(l);
            routing.add(cells);
            int[] counts = new int[config.numLocalExperts()];
            cells.forEach(c -> Arrays.stream(c.experts()).forEach(e -> counts[e]++));
            load.add(counts);
        }
        Map<String, List<float[]>> norms = new LinkedHashMap<>();
        NORM_VIEWS.forEach(t -> norms.put(t.leaf(), norms(t::at)));
        return new RoutingSummary(id, tokens(), layers, config.numLocalExperts(), config.numExpertsPerTok(),
                NEAR_TIE_MARGIN, routing, load, norms, nextTokens());
    }

    /** The K chosen experts, their weights, the full router distribution and the margin, for T tokens at a layer. */
    public List<RoutingCell> routingOf(int layer) {
        float[][] logits = trace.get(TensorNames.routerLogits(layer)).toFloatMatrix();      // [T, E]
        float[][] probs = trace.get(TensorNames.routerProbs(layer)).toFloatMatrix();        // [T, E]
        long[][] experts = trace.get(TensorNames.selectedExperts(layer)).toLongMatrix();    // [T, K]
        float[][] weights = trace.get(TensorNames.routingWeights(layer)).toFloatMatrix();   // [T, K]
        List<RoutingCell> cells = new ArrayList<>(logits.length);
        for (int t = 0; t < logits.length; t++) {
            Double margin = margin(logits[t], experts[t].length);      // a what-if run may use another K
            cells.add(new RoutingCell(Arrays.stream(experts[t]).mapToInt(e -> (int) e).toArray(), weights[t],
                    probs[t], margin, isNearTie(margin), RouterEntropy.bits(logits[t])));
        }
        return cells;
    }

    private static List<String> routingNames(int layer) {
        return List.of(TensorNames.routerLogits(layer), TensorNames.routerProbs(layer),
                TensorNames.selectedExperts(layer), TensorNames.routingWeights(layer));
    }

    /** Whether the trace holds the logits, so that the next-token distribution can be shown. */
    public boolean hasLogits() {
        return trace.has(TensorNames.LOGITS);
    }

    /**
     * Refuses a view of a trace that lacks a tensor it reads (an imported trace may be a subset of the format),
     * naming the first one missing and how many more, instead of failing halfway.
     */
    private void require(String id, String view, List<String> names) {
        List<String> missing = names.stream().filter(n -> !trace.has(n)).toList();
        if (!missing.isEmpty()) {
            throw new IncompleteTraceException("trace '" + id + "' has no " + missing.get(0)
                    + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more tensors)" : "") + ": " + view
                    + " cannot be shown; it can still be compared (/?trace=OTHER&compare=" + id + ")");
        }
    }

    /** Whether a router margin (null when every expert is chosen) is strictly below {@link #NEAR_TIE_MARGIN}. */
    static boolean isNearTie(Double margin) {
        return margin != null && margin < NEAR_TIE_MARGIN;
    }

    /** {@link Margins#margin}, or null (JSON has no infinity) when every expert is chosen. */
    static Double margin(float[] logits, int k) {
        double m = Margins.margin(logits, k);
        return Double.isInfinite(m) ? null : m;
    }

    private List<float[]> norms(IntFunction<String> name) {
        List<float[]> rows = new ArrayList<>(config.numHiddenLayers());
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            rows.add(trace.get(name.apply(l)).norm2(1).toFloatVector());                    // [T]
        }
        return rows;
    }

    /** What the model predicts after the last token. */
    public List<Prediction> nextTokens() {
        return nextTokens(tokenIds().length - 1);
    }

    private List<Prediction> nextTokens(int position) {
        INDArray logits = trace.get(TensorNames.LOGITS);                                    // [T, V]
        return top(logits.getRow(position).toFloatVector());
    }

    /** Per-layer routing, router distribution and logit lens of one token; the model applies the lens. */
    public TokenDetail token(String id, int position, MixtralModel model) {
        int layers = config.numHiddenLayers();
        List<String> needed = new ArrayList<>(List.of(TensorNames.LOGITS));
        for (int l = 0; l < layers; l++) {
            needed.addAll(routingNames(l));
            needed.add(TensorNames.residPost(l));
        }
        require(id, "the token detail", needed);
        INDArray residuals = Nd4j.create(trace.get(TensorNames.residPost(0)).dataType(), layers, config.hiddenSize());
        for (int l = 0; l < layers; l++) {
            residuals.putRow(l, trace.get(TensorNames.residPost(l)).getRow(position));     // [D]
        }
        float[][] lens = model.logitLens(residuals).toFloatMatrix();                         // [L, V]
        float[] residNorms = residuals.norm2(1).toFloatVector();                            // [L]
        List<LayerDetail> details = new ArrayList<>(layers);
        for (int l = 0; l < layers; l++) {
            RoutingCell cell = routingOf(l).get(position);
            float[] logits = trace.get(TensorNames.routerLogits(l)).getRow(position).toFloatVector();  // [E]
            details.add(new LayerDetail(l, cell.experts(), cell.weights(), cell.probs(), logits, cell.margin(),
                    cell.nearTie(), top(lens[l]), residNorms[l]));
        }
        return new TokenDetail(id, tokens().get(position), details, nextTokens(position));
    }

    /** The TOP most likely tokens of a logit vector [V], with softmax probabilities. */
    List<Prediction> top(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        int n = Math.min(TOP, order.length);
        List<Prediction> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String piece = codec.piece(order[i]);
            // Labelled alone: candidates are alternatives, not a sequence whose bytes could spell a character.
            result.add(new Prediction(order[i], piece, TokenLabels.of(List.of(piece)).get(0),
                    Math.exp(logits[order[i]] - max) / sum));
        }
        return result;
    }
}
