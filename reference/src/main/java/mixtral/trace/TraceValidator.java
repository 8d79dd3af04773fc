package mixtral.trace;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import com.fasterxml.jackson.databind.JsonNode;
import mixtral.BadInputException;
import mixtral.config.ConfigJson;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.TensorInfo;
import mixtral.trace.TraceTensor.Dim;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a well-formed trace is, held to {@link TraceTensor}'s shapes and dtypes at one of two strictnesses, so that a
 * malformed trace is a one-line refusal instead of an exception deep in the arithmetic or a silently truncated
 * expert index. The comparison and a routing replay ask for {@link Strictness#SUBSET}, the inspector's import for
 * {@link Strictness#EXACT}. Checks that need only names, dtypes and shapes ({@link #checkEntries}) run on a file's
 * header, before any tensor is read; {@link #checkValues} then looks at token ids and chosen experts.
 */
public final class TraceValidator {
    private TraceValidator() {}

    public enum Strictness {
        /**
         * A trace held to another trace (compare, replay): any subset of the format, names outside it ignored; no
         * tensor empty; each of the format's tensors of the format's rank, all covering the same tokens (one T); chosen
         * experts whole numbers in 0..E-1. Widths (D, E, K, V), dtypes and duplicate experts are not held: they are
         * divergences the comparison reports, not malformed input.
         */
        SUBSET,
        /**
         * A trace held to the configuration that will serve it (the inspector's import): besides SUBSET, its tokens
         * present and in the vocabulary; every name part of the format, of a layer the model has, of the format's dtype
         * and of exactly the shape {@link TraceTensor#expectedShape} gives (K included); chosen experts distinct; and
         * the configuration in its metadata, if any, this one.
         */
        EXACT
    }

    /** A tensor as a file's header describes it: dtype as safetensors spells it ({@code F32}, {@code I64}, ...). */
    public record Entry(String name, String dtype, long[] shape) {
        public static Entry of(TensorInfo info) {
            return new Entry(info.name(), info.dtype().name(), info.shape());
        }

        static Entry of(String name, INDArray a) {
            String dtype = switch (a.dataType()) {
                case FLOAT -> "F32";
                case LONG -> "I64";
                case INT -> "I32";
                case HALF -> "F16";
                case BFLOAT16 -> "BF16";
                default -> a.dataType().name();
            };
            return new Entry(name, dtype, a.shape());
        }
    }

    /**
     * Both checks on a trace in memory.
     *
     * @param which  names the trace in messages, e.g. "trace A"; null for none
     * @param config EXACT: the configuration the trace must match. SUBSET: the configuration to hold chosen experts to
     *               when the trace stores none (the other trace's, or the model's), or null
     */
    public static void check(Trace trace, String which, MixtralConfig config, Strictness s) {
        checkEntries(trace.tensors().entrySet().stream().map(e -> Entry.of(e.getKey(), e.getValue())).toList(),
                which, config, s);
        checkValues(trace, which, config, s);
    }

    /** Names, dtypes and shapes: what a header tells, so a file can be refused before its tensors are read. */
    public static void checkEntries(Collection<Entry> entries, String which, MixtralConfig config, Strictness s) {
        String at = which == null ? "" : which + ": ";
        long tokens = -1;
        String tokensFrom = null;
        if (s == Strictness.EXACT) {
            Objects.requireNonNull(config, "EXACT holds a trace to a configuration");
            Entry t = entries.stream().filter(e -> e.name().equals(TensorNames.TOKENS)).findFirst().orElseThrow(() ->
                    new BadInputException(at + "the trace has no '" + TensorNames.TOKENS
                            + "' tensor: without its token ids it cannot be checked against this model"));
            if (t.shape().length == 1) {
                tokens = t.shape()[0];
                tokensFrom = t.name();
            }
        }
        for (Entry e : entries) {
            String name = e.name();
            long[] shape = e.shape();
            if (Arrays.stream(shape).reduce(1, (x, y) -> x * y) == 0) {
                throw new BadInputException(at + "tensor '" + name + "' is empty (shape " + Arrays.toString(shape)
                        + "): a trace records at least one token");
            }
            Optional<TraceTensor.Ref> ref = TraceTensor.parse(name);
            if (ref.isEmpty()) {
                if (s == Strictness.EXACT) {
                    throw new BadInputException(at + "tensor '" + name
                            + "' is not part of the trace format (GET /api/trace-format)");
                }
                continue;
            }
            List<Dim> dims = ref.get().tensor().shape();
            if (shape.length != dims.size()) {
                throw new BadInputException(at + "tensor '" + name + "' has shape " + Arrays.toString(shape)
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
                    throw new BadInputException(String.format(Locale.ROOT, "%stensor '%s' has shape %s, but '%s' "
                            + "covers %d tokens", at, name, Arrays.toString(shape), tokensFrom, tokens));
                }
            }
            if (s == Strictness.EXACT) {
                exactly(at, e, ref.get(), config, (int) tokens);
            }
        }
    }

    /** EXACT's per-tensor rules: a layer the model has, the format's dtype, the shape this configuration gives. */
    private static void exactly(String at, Entry e, TraceTensor.Ref ref, MixtralConfig c, int tokens) {
        if (ref.layer() >= c.numHiddenLayers()) {
            throw new BadInputException(at + "tensor '" + e.name() + "': this model has layers 0.."
                    + (c.numHiddenLayers() - 1));
        }
        if (!e.dtype().equals(ref.tensor().dtype().name())) {
            throw new BadInputException(at + "tensor '" + e.name() + "' is " + e.dtype() + "; the trace format stores "
                    + "it as " + ref.tensor().dtype());
        }
        long[] expected = ref.tensor().expectedShape(c, tokens);
        if (!Arrays.equals(e.shape(), expected)) {
            throw new BadInputException(at + "tensor '" + e.name() + "' has shape " + Arrays.toString(e.shape())
                    + "; this model's trace of " + tokens + " tokens has " + Arrays.toString(expected));
        }
    }

    /** Values, on a trace whose entries passed {@link #checkEntries}: token ids, chosen experts, the metadata's config. */
    public static void checkValues(Trace trace, String which, MixtralConfig config, Strictness s) {
        String at = which == null ? "" : which + ": ";
        boolean exact = s == Strictness.EXACT;
        MixtralConfig c = exact || trace.config() == null ? config : trace.config();
        if (exact) {
            long[] ids = trace.get(TensorNames.TOKENS).toLongVector();
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] < 0 || ids[i] >= c.vocabSize()) {
                    throw new BadInputException(at + "token " + i + " has id " + ids[i] + ", outside the vocabulary 0.."
                            + (c.vocabSize() - 1));
                }
            }
        }
        for (String name : trace.tensors().keySet()) {
            if (!TensorNames.is(name, TraceTensor.SELECTED_EXPERTS)) {
                continue;
            }
            String logits = TensorNames.routerLogits(TensorNames.layerOf(name));
            long experts = c != null ? c.numLocalExperts()
                    : trace.has(logits) && trace.get(logits).rank() == 2 ? trace.get(logits).columns() : Long.MAX_VALUE;
            checkExperts(at, name, trace.get(name), experts, exact);
        }
        if (exact && trace.metadata().containsKey("config")) {
            MixtralConfig theirs = trace.config();
            if (!config.equals(theirs)) {
                throw new BadInputException(at + "the trace was made with another model: "
                        + firstDifference(theirs, config));
            }
        }
    }

    /**
     * Each choice a whole number in 0..E-1 (E unknown: {@code Long.MAX_VALUE}), whatever dtype it was stored in; with
     * {@code distinct}, no expert twice for one token.
     */
    private static void checkExperts(String at, String name, INDArray selected, long experts, boolean distinct) {
        double[] all = selected.reshape(selected.length()).toDoubleVector();
        int k = selected.rank() == 2 ? (int) selected.columns() : 1;
        for (int i = 0; i < all.length; i++) {
            double x = all[i];
            if (x != Math.rint(x) || x < 0 || x >= experts) {
                throw new BadInputException(at + "tensor '" + name + "' at token " + i / k + " chooses expert "
                        + (x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x)) + ", not one of 0.."
                        + (experts == Long.MAX_VALUE ? "E-1" : experts - 1));
            }
        }
        for (int t = 0; distinct && t < all.length / k; t++) {
            double[] row = Arrays.copyOfRange(all, t * k, (t + 1) * k);
            if (Arrays.stream(row).distinct().count() != k) {
                throw new BadInputException(at + "tensor '" + name + "' at token " + t + " is "
                        + Arrays.toString(Arrays.stream(row).mapToLong(x -> (long) x).toArray())
                        + "; expected distinct experts 0.." + (experts - 1));
            }
        }
    }

    /** The first configuration key (Hugging Face spelling) whose value differs, e.g. {@code hidden_size 4096, not 192}. */
    private static String firstDifference(MixtralConfig theirs, MixtralConfig ours) {
        JsonNode a = ConfigJson.toHuggingFace(theirs);
        JsonNode b = ConfigJson.toHuggingFace(ours);
        for (var it = b.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!b.get(key).equals(a.get(key))) {
                return "its config has " + key + " " + a.get(key) + ", this model's " + b.get(key);
            }
        }
        return "its config differs from this model's";
    }
}
