package mixtral.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Routing decisions a user overrides, to ask "what if": the router consults this, and everything downstream computes
 * as usual. {@link #NONE} changes nothing. Precedence per token and layer: a forced choice, else a replayed one, else
 * top-k (of the model's K, or {@code topK}) among the experts not dropped. Weights follow the published rule
 * (softmax over the chosen experts' router logits) unless a replay brings its own. Tokens are absolute positions.
 *
 * @param topK            experts per token for every layer, or null for the model's
 * @param dropped         experts unavailable at a layer (masked before top-k); layer {@link #EVERY_LAYER} for all
 * @param forced          tokens at a layer that use exactly these experts (as many as every token uses: a trace
 *                        holds [T, K] choices)
 * @param replay          another trace's routing to reuse, or null
 * @param routerPrecision what the router's input and weight are rounded to before the gate product
 */
public record Intervention(Integer topK, Set<Site> dropped, Map<Site, int[]> forced, Replay replay,
                           RouterPrecision routerPrecision) {
    public static final int EVERY_LAYER = -1;
    public static final Intervention NONE = new Intervention(null, Set.of(), Map.of(), null, RouterPrecision.F32);

    /** A layer and a token (for forced experts) or a layer and an expert (for dropped ones). */
    public record Site(int layer, int index) {}

    /**
     * The routing recorded in another trace: per layer [T][K] chosen experts, and their weights when those are
     * replayed too (else null). A layer the trace did not record is null: the reference routes it itself.
     */
    public record Replay(String source, long[][][] experts, float[][][] weights) {
        /**
         * The routing a trace recorded for the first {@code layers} layers (its {@code selected_experts}, and its
         * {@code routing_weights} if {@code withWeights}). A trace with no routing at all is refused.
         */
        public static Replay of(Trace trace, String source, int layers, boolean withWeights) {
            long[][][] experts = new long[layers][][];
            float[][][] weights = withWeights ? new float[layers][][] : null;
            for (int l = 0; l < layers; l++) {
                if (trace.has(TensorNames.selectedExperts(l))) {
                    experts[l] = trace.get(TensorNames.selectedExperts(l)).toLongMatrix();       // [T, K]
                    if (withWeights) {
                        weights[l] = replayedWeights(trace, source, l, experts[l]);
                    }
                }
            }
            if (Arrays.stream(experts).allMatch(java.util.Objects::isNull)) {
                throw new BadInputException(source + " records no selected_experts: there is no routing to replay");
            }
            return new Replay(source, experts, weights);
        }

        private static float[][] replayedWeights(Trace trace, String source, int layer, long[][] experts) {
            String name = TensorNames.routingWeights(layer);
            if (!trace.has(name)) {
                throw new BadInputException(source + " has no " + name + " to replay (leave out --replay-weights)");
            }
            float[][] w = trace.get(name).toFloatMatrix();                                    // [T, K]
            if (w.length != experts.length || (w.length > 0 && w[0].length != experts[0].length)) {
                throw new BadInputException(source + ": " + name + " is " + w.length + " x "
                        + (w.length == 0 ? 0 : w[0].length) + " but selected_experts is " + experts.length + " x "
                        + (experts.length == 0 ? 0 : experts[0].length));
            }
            return w;
        }
    }

    public Intervention {
        dropped = Set.copyOf(dropped);
        forced = Map.copyOf(forced);
    }

    public Intervention withTopK(int k) {
        return new Intervention(k, dropped, forced, replay, routerPrecision);
    }

    public Intervention withDropped(int layer, int expert) {
        Set<Site> d = new LinkedHashSet<>(dropped);
        d.add(new Site(layer, expert));
        return new Intervention(topK, d, forced, replay, routerPrecision);
    }

    public Intervention withForced(int layer, int token, int... experts) {
        Map<Site, int[]> f = new LinkedHashMap<>(forced);
        f.put(new Site(layer, token), experts.clone());
        return new Intervention(topK, dropped, f, replay, routerPrecision);
    }

    public Intervention withReplay(Replay r) {
        return new Intervention(topK, dropped, forced, r, routerPrecision);
    }

    public Intervention withRouterPrecision(RouterPrecision p) {
        return new Intervention(topK, dropped, forced, replay, p);
    }

    public boolean isNone() {
        return topK == null && dropped.isEmpty() && forced.isEmpty() && replay == null
                && routerPrecision == RouterPrecision.F32;
    }

    /** Refuses, in one line, what this model cannot do: an expert or layer out of range, too few experts left. */
    public void check(MixtralConfig c) {
        int experts = c.numLocalExperts();
        int layers = c.numHiddenLayers();
        if (topK != null && (topK < 1 || topK > experts)) {
            throw new BadInputException("--top-k must be between 1 and " + experts + " (the experts per layer), got " + topK);
        }
        for (Site d : dropped) {
            checkLayer(d.layer(), layers, "--drop-expert", true);
            checkExpert(d.index(), experts, "--drop-expert");
        }
        int k = topK == null ? c.numExpertsPerTok() : topK;
        for (int l = 0; l < layers; l++) {
            int layer = l;
            long left = IntStream.range(0, experts).filter(e -> !isDropped(layer, e)).count();
            if (left < k) {
                throw new BadInputException("layer " + l + " keeps " + left + " of " + experts + " experts after "
                        + "--drop-expert, fewer than the " + k + " each token needs");
            }
        }
        forced.forEach((site, chosen) -> {
            checkLayer(site.layer(), layers, "--force-experts", false);
            if (site.index() < 0) {
                throw new BadInputException("--force-experts: token position " + site.index() + " is negative");
            }
            if (chosen.length != k || Arrays.stream(chosen).distinct().count() != chosen.length) {
                throw new BadInputException("--force-experts " + site.layer() + ":" + site.index() + " needs " + k
                        + " distinct experts (the experts per token; change it with --top-k), got "
                        + Arrays.toString(chosen));
            }
            Arrays.stream(chosen).forEach(e -> checkExpert(e, experts, "--force-experts"));
        });
        if (replay != null) {
            if (replay.experts().length > layers) {
                throw new BadInputException(replay.source() + " routes " + replay.experts().length
                        + " layers; the model has " + layers);
            }
            for (long[][] layer : replay.experts()) {
                for (long[] token : layer == null ? new long[0][] : layer) {
                    for (long e : token) {
                        checkExpert(e, experts, replay.source());
                    }
                }
            }
        }
    }

    private static void checkLayer(int layer, int layers, String what, boolean everyAllowed) {
        if (!(layer >= 0 && layer < layers) && !(everyAllowed && layer == EVERY_LAYER)) {
            throw new BadInputException(what + ": layer " + layer + " does not exist (the model has " + layers + ")");
        }
    }

    private static void checkExpert(long e, int experts, String what) {
        if (e < 0 || e >= experts) {
            throw new BadInputException(what + ": expert " + e + " does not exist (experts are 0.." + (experts - 1) + ")");
        }
    }

    /** Whether layer {@code l} routes by the rule alone, with the model's K. */
    boolean leavesAlone(int layer) {
        return topK == null && forced.keySet().stream().noneMatch(s -> s.layer() == layer)
                && !replays(layer) && dropped.stream().noneMatch(d -> d.layer() == layer || d.layer() == EVERY_LAYER);
    }

    private boolean replays(int layer) {
        return replay != null && layer < replay.experts().length && replay.experts()[layer] != null;
    }

    private boolean isDropped(int layer, int expert) {
        return dropped.contains(new Site(layer, expert)) || dropped.contains(new Site(EVERY_LAYER, expert));
    }

    /** The routing of the T tokens at positions start..start+T-1 of a layer, given their router logits [T, E]. */
    Routing route(int layer, int start, INDArray logits, int modelK, RoutingRule rule) {
        if (leavesAlone(layer)) {
            return rule.route(logits, modelK);
        }
        int k = topK == null ? modelK : topK;
        float[][] rows = logits.toFloatMatrix();                                   // [T, E]
        int[][] experts = new int[rows.length][];
        float[][] weights = new float[rows.length][];
        for (int t = 0; t < rows.length; t++) {
            int position = start + t;
            int[] chosen = forced.get(new Site(layer, position));
            if (chosen != null) {
                experts[t] = Routing.byLogit(rows[t], chosen);
            } else if (replays(layer)) {
                experts[t] = replayed(layer, position);
                float[][] w = replay.weights() == null ? null : replay.weights()[layer];
                weights[t] = w == null ? null : w[position].clone();
            } else {
                float[] masked = rows[t].clone();
                for (int e = 0; e < masked.length; e++) {
                    masked[e] = isDropped(layer, e) ? Float.NEGATIVE_INFINITY : masked[e];
                }
                experts[t] = Routing.topK(masked, k);
            }
            if (weights[t] == null) {
                weights[t] = Routing.softmaxOf(rows[t], experts[t]);
            }
        }
        return new Routing(logits, experts, weights);
    }

    private int[] replayed(int layer, int position) {
        long[][] tokens = replay.experts()[layer];
        if (position >= tokens.length) {
            throw new BadInputException(replay.source() + " routes " + tokens.length + " tokens at layer " + layer
                    + "; position " + position + " is beyond them");
        }
        return Arrays.stream(tokens[position]).mapToInt(e -> (int) e).toArray();
    }

    /** The intervention as a JSON object (stored in a trace's metadata, so an intervened trace says so). */
    public String toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode o = json.createObjectNode();
        if (topK != null) {
            o.put("top_k", topK);
        }
        if (!dropped.isEmpty()) {
            ArrayNode a = o.putArray("drop_expert");
            dropped.forEach(d -> a.add((d.layer() == EVERY_LAYER ? "*" : String.valueOf(d.layer())) + ":" + d.index()));
        }
        if (!forced.isEmpty()) {
            ArrayNode a = o.putArray("force_experts");
            forced.forEach((s, e) -> a.add(s.layer() + ":" + s.index() + ":"
                    + String.join(",", Arrays.stream(e).mapToObj(String::valueOf).toList())));
        }
        if (replay != null) {
            o.put("replay_routing", replay.source());
            o.put("replay_weights", replay.weights() != null);
        }
        if (routerPrecision != RouterPrecision.F32) {
            o.put("router_precision", routerPrecision.name().toLowerCase(java.util.Locale.ROOT));
        }
        return o.toString();
    }
}
