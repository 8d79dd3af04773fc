package mixtral.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import mixtral.BadInputException;
import mixtral.compare.Report.Decision;
import mixtral.compare.Report.Divergence;
import mixtral.compare.Report.Flip;
import mixtral.compare.Report.LayerRouting;
import mixtral.compare.Report.LogitsDiff;
import mixtral.compare.Report.NotComparable;
import mixtral.compare.Report.TensorDiff;
import mixtral.config.MixtralConfig;
import mixtral.model.Argmax;
import mixtral.model.Intervention;
import mixtral.model.MixtralModel;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.trace.TraceTensor;
import mixtral.trace.TraceValidator;
import mixtral.trace.TraceValidator.Strictness;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Holds one trace (actual, B: another engine's) to another (expected, A: the reference), tensor by tensor in forward
 * order, routing decision by routing decision. Only tensors both traces hold are compared, so an engine may record a
 * subset of the trace format, but never none of it. A routing tie excuses only that token's routing entries at that
 * layer; with a model, B's routing is replayed through the reference and B is held strictly to that run, so a tie
 * passes and a bug hidden behind one, or inside the routing itself, fails. Traces of another K (experts per token,
 * e.g. a what-if of {@code --top-k}) are compared too: routing as sets (each token's set changed, K_A and K_B per
 * layer), routing weights reported as not comparable, every other tensor as usual.
 */
public final class TraceComparison {
    /** What A is compared with when a model re-runs B's routing. */
    public static final String REPLAY_BASELINE = "the reference with B's routing replayed";

    /**
     * @param required glob patterns ({@code *} any characters) of tensors both traces must hold
     * @param model    the reference model A was made with, to replay B's routing through; or null
     */
    public record Options(List<String> required, MixtralModel model) {
        public static final Options NONE = new Options(List.of(), null);
    }

    private TraceComparison() {}

    public static Report compare(Trace expected, Trace actual, Tolerances tol) {
        return compare(expected, actual, tol, Options.NONE);
    }

    public static Report compare(Trace expected, Trace actual, Tolerances tol, Options options) {
        MixtralConfig model = options.model() == null ? null : options.model().config();
        TraceValidator.check(expected, "trace A", model, Strictness.SUBSET);
        TraceValidator.check(actual, "trace B", model != null ? model : expected.config(), Strictness.SUBSET);
        long[] tokens = checkSameTokens(expected, actual);
        TreeSet<String> names = new TreeSet<>(TensorNames.FORWARD_ORDER);
        names.addAll(expected.tensors().keySet());
        names.addAll(actual.tensors().keySet());

        List<LayerRouting> routing = new ArrayList<>();
        List<Flip> flips = new ArrayList<>();
        for (String name : names) {
            if (TensorNames.is(name, TraceTensor.SELECTED_EXPERTS) && expected.has(name) && actual.has(name)) {
                routing.add(RoutingCheck.flips(expected, actual, TensorNames.layerOf(name), tol, flips));
            }
        }
        Trace baseline = expected;
        List<Decision> wrong = List.of();
        if (options.model() != null) {
            baseline = replay(options.model(), expected, actual, tokens);
            wrong = wrongDecisions(baseline, actual, options.model().config().numExpertsPerTok(), tol);
            flips = judgedByReplay(flips, wrong);
        }
        Map<Integer, Set<Integer>> excused = options.model() != null ? Map.of() : tieTokens(flips);

        List<TensorDiff> tensors = new ArrayList<>();
        List<NotComparable> notComparable = new ArrayList<>();
        List<String> onlyInOne = new ArrayList<>();
        for (String name : names) {
            if (!expected.has(name) || !actual.has(name)) {
                onlyInOne.add(name + (expected.has(name) ? " (expected only)" : " (actual only)"));
            }
            if (baseline.has(name) && actual.has(name) && !TensorNames.is(name, TraceTensor.SELECTED_EXPERTS)
                    && !TensorNames.is(name, TraceTensor.TOKENS)) {
                NotComparable k = otherK(name, baseline.get(name).shape(), actual.get(name).shape());
                if (k != null) {
                    notComparable.add(k);
                } else {
                    tensors.add(compareTensor(name, baseline, actual, tol, excused));
                }
            }
        }
        if (tensors.isEmpty() && routing.isEmpty() && notComparable.isEmpty()) {
            throw new BadInputException("the traces have no tensor in common (A holds " + expected.tensors().size()
                    + ", B " + actual.tensors().size() + "): nothing to compare");
        }
        List<String> missing = missing(options.required(), expected, actual);
        LogitsDiff logits = baseline.has(TensorNames.LOGITS) && actual.has(TensorNames.LOGITS)
                && Arrays.equals(baseline.get(TensorNames.LOGITS).shape(), actual.get(TensorNames.LOGITS).shape())
                ? compareLogits(baseline.get(TensorNames.LOGITS), actual.get(TensorNames.LOGITS)) : null;
        Divergence first = FirstDivergence.of(tensors, options.model() == null ? flips : List.of(), wrong,
                notComparable);
        String hint = options.model() == null ? tieHint(flips, tensors) : null;
        return new Report(tol, options.model() == null ? "A" : REPLAY_BASELINE, expected.intervention(),
                actual.intervention(), tensors, routing, flips, wrong, notComparable, logits, onlyInOne, missing, first,
                hint,
                first == null && missing.isEmpty());
    }

    private static long[] checkSameTokens(Trace expected, Trace actual) {
        if (expected.has(TensorNames.TOKENS) && actual.has(TensorNames.TOKENS)) {
            long[] a = expected.get(TensorNames.TOKENS).toLongVector();
            long[] b = actual.get(TensorNames.TOKENS).toLongVector();
            if (!Arrays.equals(a, b)) {
                throw new BadInputException("the traces are of different token sequences (" + a.length + " and "
                        + b.length + " tokens" + (a.length == b.length ? ", different ids" : "") + "): nothing to compare");
            }
            return a;
        }
        return expected.has(TensorNames.TOKENS) ? expected.get(TensorNames.TOKENS).toLongVector()
                : actual.has(TensorNames.TOKENS) ? actual.get(TensorNames.TOKENS).toLongVector() : null;
    }

    /** The reference re-run on the tokens with B's routing (where B recorded it), recording everything. */
    private static Trace replay(MixtralModel model, Trace expected, Trace actual, long[] tokens) {
        if (tokens == null) {
            throw new BadInputException("neither trace records its tokens: the reference cannot be re-run");
        }
        MixtralConfig c = model.config();
        MixtralConfig made = expected.config();
        if (made != null && !made.equals(c)) {
            throw new BadInputException("the model given is not the one trace A was made with (its config differs)");
        }
        boolean routes = actual.tensors().keySet().stream().anyMatch(n -> TensorNames.is(n, TraceTensor.SELECTED_EXPERTS));
        Intervention iv = routes
                ? Intervention.NONE.withReplay(Intervention.Replay.of(actual, "trace B", c.numHiddenLayers(), false))
                : Intervention.NONE;
        boolean attention = actual.tensors().keySet().stream().anyMatch(n -> TensorNames.is(n, TraceTensor.ATTN_PROBS));
        TraceRecorder rec = TraceRecorder.all(attention);
        model.with(iv).forward(tokens, rec);
        return rec.toTrace(c);
    }

    private static List<Decision> wrongDecisions(Trace reference, Trace actual, int k, Tolerances tol) {
        List<Decision> wrong = new ArrayList<>();
        for (int l = 0; reference.has(TensorNames.routerLogits(l)); l++) {
            if (actual.has(TensorNames.selectedExperts(l))) {
                wrong.addAll(RoutingCheck.wrongDecisions(reference, actual, l, k, tol));
            }
        }
        return wrong;
    }

    /** With a replay, a flip is a tie when B's choice is one the reference could have made there. */
    private static List<Flip> judgedByReplay(List<Flip> flips, List<Decision> wrong) {
        Set<String> wrongSites = wrong.stream().map(d -> d.layer() + ":" + d.token()).collect(Collectors.toSet());
        return flips.stream().map(f -> new Flip(f.layer(), f.token(), f.expectedExperts(), f.actualExperts(),
                f.margin(), !wrongSites.contains(f.layer() + ":" + f.token()))).toList();
    }

    /** Per layer, the tokens whose flip is a tie: only their routing entries at that layer are excused. */
    private static Map<Integer, Set<Integer>> tieTokens(List<Flip> flips) {
        Map<Integer, Set<Integer>> out = new HashMap<>();
        flips.stream().filter(Flip::tie)
                .forEach(f -> out.computeIfAbsent(f.layer(), l -> new java.util.HashSet<>()).add(f.token()));
        return out;
    }

    /**
     * A tensor of the format whose K dimension (experts per token) differs between the two, the rest of its shape
     * alike: a what-if of another K. Its elements do not correspond, so it is reported, not compared; null otherwise.
     */
    private static NotComparable otherK(String name, long[] e, long[] a) {
        List<TraceTensor.Dim> dims = TraceTensor.parse(name).map(r -> r.tensor().shape()).orElse(List.of());
        if (e.length != dims.size() || a.length != dims.size() || Arrays.equals(e, a)) {
            return null;
        }
        for (int i = 0; i < dims.size(); i++) {
            if (dims.get(i) != TraceTensor.Dim.K && e[i] != a[i]) {
                return null;
            }
        }
        return new NotComparable(name, e, a, "K differs: A " + Arrays.toString(e) + ", B " + Arrays.toString(a));
    }

    private static TensorDiff compareTensor(String name, Trace baseline, Trace actual, Tolerances tol,
                                            Map<Integer, Set<Integer>> excused) {
        INDArray e = baseline.get(name);
        INDArray a = actual.get(name);
        double[] values = TensorCheck.values(a);
        boolean weights = TensorNames.is(name, TraceTensor.ROUTING_WEIGHTS);
        int layer = TensorNames.layerOf(name);
        if (weights && Arrays.equals(e.shape(), a.shape())) {
            alignByExpert(baseline, actual, layer, values);
        }
        Set<Integer> skip = weights ? excused.getOrDefault(layer, Set.of()) : Set.of();
        return TensorCheck.check(name, e, values, a.shape(), tol, skip);
    }

    /**
     * Routing weights are compared expert by expert: when two chosen experts tie, engines may list them in either
     * order. Tokens routed to different sets keep B's order: the flip is reported on its own.
     */
    private static void alignByExpert(Trace baseline, Trace actual, int layer, double[] a) {
        String sel = TensorNames.selectedExperts(layer);
        if (!baseline.has(sel) || !actual.has(sel)) {
            return;
        }
        long[][] se = baseline.get(sel).toLongMatrix();
        long[][] sa = actual.get(sel).toLongMatrix();
        int k = se.length == 0 ? 0 : se[0].length;
        for (int t = 0; t < se.length && t < sa.length; t++) {
            if (sa[t].length != k || !Margins.sameSet(se[t], sa[t])) {
                continue;
            }
            double[] aligned = new double[k];
            for (int j = 0; j < k; j++) {
                aligned[j] = a[t * k + indexOf(sa[t], se[t][j])];
            }
            System.arraycopy(aligned, 0, a, t * k, k);
        }
    }

    private static int indexOf(long[] v, long x) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] == x) {
                return i;
            }
        }
        throw new IllegalStateException("expert " + x + " not in " + Arrays.toString(v));
    }

    /** Required patterns a trace does not satisfy: a name matching in one trace only, or matching in neither. */
    private static List<String> missing(List<String> required, Trace expected, Trace actual) {
        List<String> out = new ArrayList<>();
        for (String glob : required) {
            Pattern p = Pattern.compile(Pattern.quote(glob).replace("*", "\\E.*\\Q"));
            TreeSet<String> matching = new TreeSet<>(TensorNames.FORWARD_ORDER);
            expected.tensors().keySet().stream().filter(n -> p.matcher(n).matches()).forEach(matching::add);
            actual.tensors().keySet().stream().filter(n -> p.matcher(n).matches()).forEach(matching::add);
            if (matching.isEmpty()) {
                out.add(glob + " (in neither trace)");
            }
            for (String n : matching) {
                if (!expected.has(n) || !actual.has(n)) {
                    out.add(n + (expected.has(n) ? " (not in B)" : " (not in A)"));
                }
            }
        }
        return out;
    }

    /** When a tie was excused and something diverges at or after it, only a replay can tell whether the tie explains it. */
    private static String tieHint(List<Flip> flips, List<TensorDiff> tensors) {
        Flip tie = flips.stream().filter(Flip::tie).findFirst().orElse(null);
        if (tie == null) {
            return null;
        }
        String at = TensorNames.moeOut(tie.layer());
        boolean after = tensors.stream().anyMatch(d -> !d.within() && TensorNames.FORWARD_ORDER.compare(d.name(), at) >= 0);
        return after ? "a routing tie (layer " + tie.layer() + ", token " + tie.token() + ") may explain differences after"
                + " it: pass --model DIR to replay B's routing through the reference and check them strictly" : null;
    }

    private static LogitsDiff compareLogits(INDArray expected, INDArray actual) {
        double[][] e = expected.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] a = actual.castTo(DataType.DOUBLE).toDoubleMatrix();
        int top1 = 0;
        double sumKl = 0;
        double maxKl = 0;
        for (int t = 0; t < e.length; t++) {
            top1 += Argmax.of(e[t]) == Argmax.of(a[t]) ? 1 : 0;
            double kl = Margins.kl(e[t], a[t]);
            sumKl += kl;
            maxKl = Double.isNaN(kl) ? kl : Math.max(maxKl, kl);
        }
        return new LogitsDiff(e.length, (double) top1 / e.length, sumKl / e.length, maxKl);
    }
}
