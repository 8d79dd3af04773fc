package mixtral.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import mixtral.BadInputException;
import mixtral.OutputFile;
import mixtral.config.MixtralConfig;
import mixtral.model.Intervention;
import mixtral.model.MixtralModel;
import mixtral.model.RoutingRule;
import mixtral.model.WeightMemory;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.Checkpoint;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Run one forward pass and write the recorded tensors as a trace (safetensors).",
            "See docs/trace-format.md for the names and shapes."})
final class TraceCommand implements Callable<Integer> {
    @Mixin
    ModelOption model = new ModelOption();

    @ArgGroup(multiplicity = "1")
    TokenInput input;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Trace file to write (.safetensors).")
    Path out;

    @Option(names = "--record", arity = "1..*", paramLabel = "WHAT", defaultValue = "all",
            description = {"all (default), routing, or name patterns such as 'layers.*.moe.*' or 'logits'."})
    List<String> record;

    @Option(names = "--attention", description = "Also record attention probabilities [H, T, T] per layer.")
    boolean attention;

    @Mixin
    MemoryOption memory = new MemoryOption();

    @Mixin
    InterventionOptions intervention = new InterventionOptions();

    @Override
    public Integer call() {
        OutputFile.check(out, "--out");
        memory.validate();
        TraceRecorder recorder = recorder(record, attention);
        try (Checkpoint checkpoint = Checkpoint.open(model.folder())) {
            MixtralConfig c = checkpoint.config();
            checkPatterns(record, c);
            long[] tokens = input.ids(model.folder());
            MixtralModel.checkTokens(c, tokens, 0);
            memory.checkFits(c, tokens.length, tokens.length, recorder.size(c, tokens.length));
            WeightMemory weights = memory.memoryFor(checkpoint.config());
            Intervention iv = intervention.build(checkpoint.config(), tokens);
            MixtralModel model = MixtralModel.load(checkpoint, RoutingRule.MIXTRAL, weights).with(iv);
            try (LayerProgress progress = new LayerProgress(recorder, weights, "trace")) {
                model.forward(tokens, weights.isBounded() ? progress : recorder);
            }
            Trace trace = recorder.toTrace(checkpoint.config());
            if (!iv.isNone()) {
                trace = trace.withMetadata(Trace.INTERVENTION, iv.toJson());
            }
            trace.write(out);
            System.out.printf("wrote %s: %d tensors, %d tokens%n", out, trace.tensors().size(), tokens.length);
        }
        return Main.OK;
    }

    /** A pattern that names no tensor of this model would leave its part of the trace empty: a typo, say so. */
    private static void checkPatterns(List<String> what, MixtralConfig c) {
        if (what.equals(List.of("all")) || what.equals(List.of("routing"))) {
            return;
        }
        for (String pattern : TraceRecorder.unmatched(what, c)) {
            throw new BadInputException("--record '" + pattern + "' matches no tensor of this model ("
                    + c.numHiddenLayers() + " layers; names as in docs/trace-format.md, e.g. layers.0.moe.out"
                    + (pattern.equals("all") || pattern.equals("routing") ? "; '" + pattern + "' stands alone" : "")
                    + ")");
        }
    }

    static TraceRecorder recorder(List<String> what, boolean attention) {
        if (what.size() == 1 && what.get(0).equals("all")) {
            return TraceRecorder.all(attention);
        }
        if (what.size() == 1 && what.get(0).equals("routing")) {
            return TraceRecorder.routing();
        }
        return TraceRecorder.matching(what, attention);
    }
}
