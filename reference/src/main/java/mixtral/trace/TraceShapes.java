package mixtral.trace;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.trace.TraceTensor.Dim;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Holds a trace read from a file to the format's shapes ({@link TraceTensor#shape()}) as far as a comparison or a
 * routing replay relies on them, so that a malformed trace from another engine is a one-line refusal instead of an
 * exception deep in the arithmetic or a silently truncated expert index: no
 * tensor is empty, each tensor of the format has the format's rank, all of them cover the same tokens (one T), and
 * the chosen experts are experts of the model. Other sizes (D, E, V...) are not held here: a tensor of the wrong
 * width is a divergence the report shows, not malformed input.
 */
public final class TraceShapes {
    private TraceShapes() {}

    /**
     * @param which    names the trace in messages, e.g. "trace A"
     * @param fallback the configuration to hold chosen experts to when the trace stores none (the other trace's, or
     *                 the model's), or null
     */
    public static void check(Trace trace, String which, MixtralConfig fallback) {
        MixtralConfig c = trace.config() != null ? trace.config() : fallback;
        long tokens = -1;
        String tokensFrom = null;
        for (Map.Entry<String, INDArray> e : trace.tensors().entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue().shape();
            if (e.getValue().length() == 0) {
                throw new BadInputException(which + ": tensor '" + name + "' is empty (shape " + Arrays.toString(shape)
                        + "): a trace records at least one token");
            }
            Optional<TraceTensor.Ref> ref = TraceTensor.parse(name);
            if (ref.isEmpty()) {
                continue;
            }
            List<Dim> dims = ref.get().tensor().shape();
            if (shape.length != dims.size()) {
                throw new BadInputException(which + ": tensor '" + name + "' has shape " + Arrays.toString(shape)
                        + ", expected " + dims + " (" + dims.size() + " dimensions, see docs/trace-format.md)");
            }
            for (int i = 0; i < dims.size(); i++) {
                if (dims.get(i) != Dim.T) {
                    continue;
                }
                if (tokens < 0) {
                    tokens = shape[i];
                    tokensFrom = name;
                } else if (shape[i] != tokens) {
                    throw new BadInputException(String.format(Locale.ROOT, "%s: tensor '%s' has shape %s, but '%s' "
                            + "covers %d tokens", which, name, Arrays.toString(shape), tokensFrom, tokens));
                }
            }
            if (ref.get().tensor() == TraceTensor.SELECTED_EXPERTS) {
                String logits = TraceTensor.ROUTER_LOGITS.at(ref.get().layer());
                long experts = c != null ? c.numLocalExperts()
                        : trace.has(logits) && trace.get(logits).rank() == 2 ? trace.get(logits).columns() : Long.MAX_VALUE;
                checkExperts(which, name, e.getValue(), experts);
            }
        }
    }
    /** Each choice is a whole number in 0..E-1 (E unknown: {@code Long.MAX_VALUE}), whatever dtype B stored it in. */
    private static void checkExperts(String which, String name, INDArray selected, long experts) {
        for (double x : selected.reshape(selected.length()).toDoubleVector()) {
            if (x != Math.rint(x) || x < 0 || x >= experts) {
                throw new BadInputException(which + ": tensor '" + name + "' chooses expert "
                        + (x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x)) + ", not one of 0.."
                        + (experts == Long.MAX_VALUE ? "E-1" : experts - 1));
            }
        }
    }
}
