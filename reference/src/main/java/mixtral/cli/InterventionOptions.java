package mixtral.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.model.Intervention;
import mixtral.model.Intervention.Replay;
import mixtral.model.RouterPrecision;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceValidator;
import picocli.CommandLine.Option;

/** The routing interventions of trace and generate (see {@link Intervention}). */
final class InterventionOptions {
    @Option(names = "--top-k", paramLabel = "N", description = "Experts per token at every layer, 1..E (default: the model's).")
    Integer topK;

    @Option(names = "--drop-expert", paramLabel = "L:E",
            description = "Make expert E unavailable at layer L (masked before top-k); L may be * for every layer. Repeatable.")
    List<String> drop = new ArrayList<>();

    @Option(names = "--force-experts", paramLabel = "L:T:E1,E2,...",
            description = "Token T (position from 0) at layer L uses exactly these K experts, weighted by the published "
                    + "rule (softmax over their router logits). Repeatable.")
    List<String> force = new ArrayList<>();

    @Option(names = "--replay-routing", paramLabel = "TRACE.safetensors",
            description = "Use the selected_experts recorded in this trace (e.g. another engine's) at every layer and "
                    + "token it has; its tokens must be those run.")
    Path replay;

    @Option(names = "--replay-weights", description = "With --replay-routing: also use that trace's routing_weights.")
    boolean replayWeights;

    @Option(names = "--router-precision", paramLabel = "P", defaultValue = "f32",
            description = "Round the router's input and weight to bf16, f16 or f32 (default, no rounding) before the gate product.")
    String routerPrecision;

    /** The intervention asked for, checked against the model; {@code tokens} are those about to run. */
    Intervention build(MixtralConfig c, long[] tokens) {
        Intervention iv = Intervention.NONE.withRouterPrecision(precision(routerPrecision));
        if (topK != null) {
            iv = iv.withTopK(topK);
        }
        for (String d : drop) {
            String[] p = parts(d, 2, "--drop-expert", "L:E");
            iv = iv.withDropped(p[0].equals("*") ? Intervention.EVERY_LAYER : number(p[0], "--drop-expert", d),
                    number(p[1], "--drop-expert", d));
        }
        for (String f : force) {
            String[] p = parts(f, 3, "--force-experts", "L:T:E1,E2,...");
            iv = iv.withForced(number(p[0], "--force-experts", f), number(p[1], "--force-experts", f),
                    Arrays.stream(p[2].split(",", -1)).mapToInt(e -> number(e, "--force-experts", f)).toArray());
        }
        if (replayWeights && replay == null) {
            throw new BadInputException("--replay-weights needs --replay-routing TRACE");
        }
        if (replay != null) {
            iv = iv.withReplay(replayOf(replay, c, tokens, replayWeights));
        }
        for (var e : iv.forced().entrySet()) {
            if (e.getKey().index() >= tokens.length) {
                throw new BadInputException("--force-experts: token " + e.getKey().index() + " is beyond the "
                        + tokens.length + " tokens of the prompt");
            }
        }
        iv.check(c);
        return iv;
    }

    /** Another trace's routing, for the same tokens (its first tokens must be these). */
    static Replay replayOf(Path file, MixtralConfig c, long[] tokens, boolean withWeights) {
        Trace t = Trace.read(file);
        TraceValidator.check(t, file.toString(), c, TraceValidator.Strictness.SUBSET);
        if (t.has(TensorNames.TOKENS)) {
            long[] recorded = t.get(TensorNames.TOKENS).toLongVector();
            if (!Arrays.equals(recorded, Arrays.copyOf(tokens, Math.min(tokens.length, recorded.length)))
                    || recorded.length < tokens.length) {
                throw new BadInputException(file + " was recorded for other tokens (" + recorded.length
                        + " tokens" + (recorded.length >= tokens.length ? ", different ids" : "") + "): its routing "
                        + "cannot be replayed on these " + tokens.length);
            }
        }
        return Replay.of(t, file.getFileName().toString(), c.numHiddenLayers(), withWeights);
    }

    private static RouterPrecision precision(String p) {
        try {
            return RouterPrecision.valueOf(p.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--router-precision must be bf16, f16 or f32, got '" + p + "'");
        }
    }

    private static String[] parts(String value, int n, String option, String form) {
        String[] p = value.split(":", -1);
        if (p.length != n) {
            throw new BadInputException(option + " takes " + form + ", got '" + value + "'");
        }
        return p;
    }

    private static int number(String s, String option, String whole) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException(option + ": '" + s + "' in '" + whole + "' is not a whole number");
        }
    }
}
