package mixtral.compare;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import mixtral.config.MixtralConfig;
import mixtral.model.Intervention;
import mixtral.model.MixtralModel;
import mixtral.model.TinyConfigs;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.RandomWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A tiny model's trace, and the ways the comparison tests break it. */
final class Traces {
    static final MixtralConfig CONFIG = TinyConfigs.gqa();
    static final MixtralModel MODEL = MixtralModel.load(new RandomWeights(CONFIG, 7));
    static final long[] TOKENS = {3, 17, 42, 8, 8, 0, 49, 23};
    static final Trace TRACE = traceOf(TOKENS);

    private Traces() {}

    static Trace traceOf(long[] tokens) {
        return traceOf(tokens, Intervention.NONE);
    }

    static Trace traceOf(long[] tokens, Intervention iv) {
        TraceRecorder rec = TraceRecorder.all(true);
        MODEL.with(iv).forward(tokens, rec);
        return rec.toTrace(CONFIG);
    }

    /** A copy of the trace with the named tensor changed by {@code edit}. */
    static Trace edited(Trace t, String name, Consumer<INDArray> edit) {
        Map<String, INDArray> copy = new LinkedHashMap<>();
        t.tensors().forEach((k, v) -> copy.put(k, v.dup()));
        edit.accept(copy.get(name));
        return new Trace(copy, t.metadata());
    }

    static Trace replaced(Trace t, String name, INDArray value) {
        Map<String, INDArray> copy = new LinkedHashMap<>(t.tensors());
        copy.put(name, value);
        return new Trace(copy, t.metadata());
    }

    static Trace only(Trace t, String... names) {
        Map<String, INDArray> copy = new LinkedHashMap<>();
        Arrays.stream(names).forEach(n -> copy.put(n, t.get(n)));
        return new Trace(copy, t.metadata());
    }

    static Trace without(Trace t, String name) {
        Map<String, INDArray> copy = new LinkedHashMap<>(t.tensors());
        copy.remove(name);
        return new Trace(copy, t.metadata());
    }

    /** The router margin (K-th minus (K+1)-th logit) of a token at a layer. */
    static double margin(Trace t, int layer, int token) {
        return Margins.margin(t.get(TensorNames.routerLogits(layer)).toFloatMatrix()[token], CONFIG.numExpertsPerTok());
    }

    static int smallestMarginToken(Trace t, int layer) {
        int best = 0;
        for (int i = 1; i < t.get(TensorNames.TOKENS).length(); i++) {
            best = margin(t, layer, i) < margin(t, layer, best) ? i : best;
        }
        return best;
    }

    /** Strict float tolerances, with a tie margin just above this token's margin. */
    static Tolerances tieTolerances(Trace t, int layer, int token) {
        return new Tolerances(1e-4, 1e-4, 2 * margin(t, layer, token));
    }

    /** The runner-up: the expert whose logit is (K+1)-th at this token. */
    static int runnerUp(Trace t, int layer, int token) {
        float[] logits = t.get(TensorNames.routerLogits(layer)).toFloatMatrix()[token];
        return mixtral.model.Routing.topK(logits, CONFIG.numExpertsPerTok() + 1)[CONFIG.numExpertsPerTok()];
    }

    /** The token's last choice at a layer replaced by the runner-up, and nothing else changed. */
    static Trace flipSecondChoice(Trace t, int layer, int token) {
        int k = CONFIG.numExpertsPerTok();
        return edited(t, TensorNames.selectedExperts(layer), a -> a.putScalar(token, k - 1, runnerUp(t, layer, token)));
    }

    /** x3+1 on moe.out and resid_post from this layer on, final_norm and logits. */
    static Trace corruptFrom(Trace t, int layer) {
        Trace out = t;
        for (int l = layer; l < CONFIG.numHiddenLayers(); l++) {
            for (String n : List.of(TensorNames.moeOut(l), TensorNames.residPost(l))) {
                out = edited(out, n, a -> a.muli(3).addi(1));
            }
        }
        out = edited(out, TensorNames.FINAL_NORM, a -> a.muli(3).addi(1));
        return edited(out, TensorNames.LOGITS, a -> a.muli(3).addi(1));
    }

    static Report.TensorDiff diff(Report r, String name) {
        return r.tensors().stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
    }

    static void swapColumns(INDArray a) {
        INDArray first = a.getColumn(0).dup();
        a.putColumn(0, a.getColumn(1).dup());
        a.putColumn(1, first);
    }
}
