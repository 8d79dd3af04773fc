package mixtral.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import mixtral.BadInputException;
import mixtral.model.Generator;
import mixtral.model.Intervention;
import mixtral.model.MixtralModel;
import mixtral.model.RoutingRule;
import mixtral.model.WeightMemory;
import mixtral.tokenizer.Tokenizer;
import mixtral.trace.Recorder;
import mixtral.weights.Checkpoint;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt, greedily (default) or by sampling, using the KV cache.")
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOption model = new ModelOption();

    @ArgGroup(multiplicity = "1")
    TokenInput input;

    @Option(names = "--max-new-tokens", required = true, paramLabel = "N", description = "Tokens to generate.")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T",
            description = "0 (default) for greedy decoding; above 0 to sample.")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1", paramLabel = "P", description = "Nucleus sampling threshold (default 1).")
    double topP;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Sampling seed (default 0).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object: prompt_tokens, new_tokens (and prompt, new_text, text = both, from --prompt).")
    boolean json;

    @Mixin
    MemoryOption memory = new MemoryOption();

    @Mixin
    InterventionOptions intervention = new InterventionOptions();

    @Override
    public Integer call() throws Exception {
        if (maxNewTokens < 0) {
            throw new BadInputException("--max-new-tokens must be 0 or more, got " + maxNewTokens);
        }
        memory.validate();
        try (Checkpoint checkpoint = Checkpoint.open(model.folder())) {
            long[] prompt = input.ids(model.folder());
            MixtralModel.checkTokens(checkpoint.config(), prompt, 0);
            MixtralModel.checkPositions(checkpoint.config(), (long) prompt.length + maxNewTokens,
                    String.format(Locale.ROOT, "%,d prompt tokens and --max-new-tokens %,d", prompt.length, maxNewTokens));
            memory.checkFits(checkpoint.config(), prompt.length, (long) prompt.length + maxNewTokens, null);
            Tokenizer tokenizer = input.tokenizerIfText(model.folder());
            // From text, stop at end-of-sequence as the published generate() does; from ids, run the full length.
            Long stop = tokenizer == null ? null : (long) tokenizer.eosId();
            Generator.Settings settings = new Generator.Settings(maxNewTokens, temperature, topP, seed, stop);
            WeightMemory weights = memory.memoryFor(checkpoint.config());
            Intervention iv = intervention.build(checkpoint.config(), prompt);
            MixtralModel model = MixtralModel.load(checkpoint, RoutingRule.MIXTRAL, weights).with(iv);
            long[] generated;
            try (LayerProgress progress = new LayerProgress(Recorder.NONE, weights, "generate")) {
                generated = Generator.generate(model, prompt, settings, weights.isBounded() ? progress : Recorder.NONE);
            }
            if (json) {
                ObjectNode o = new ObjectMapper().createObjectNode();
                Arrays.stream(prompt).forEach(o.putArray("prompt_tokens")::add);
                Arrays.stream(generated).forEach(o.putArray("new_tokens")::add);
                if (!iv.isNone()) {
                    o.set("intervention", new ObjectMapper().readTree(iv.toJson()));
                }
                if (tokenizer != null) {
                    o.put("prompt", tokenizer.decode(toInts(prompt)));
                    o.put("new_text", continuation(tokenizer, prompt, generated));
                    o.put("text", tokenizer.decode(toInts(concat(prompt, generated))));
                }
                System.out.println(o);
            } else {
                System.out.println("prompt tokens: " + Arrays.toString(prompt));
                System.out.println("new tokens:    " + Arrays.toString(generated));
                if (!iv.isNone()) {
                    System.out.println("intervention:  " + iv.toJson());
                }
                if (tokenizer != null) {
                    System.out.println("text:          " + tokenizer.decode(toInts(prompt)) + "[" + continuation(tokenizer, prompt, generated) + "]");
                }
            }
        }
        return Main.OK;
    }

    /**
     * The generated text as it reads after the prompt: decoded together with the prompt, because a piece's leading
     * space marker is dropped when it is decoded alone at the start.
     */
    static String continuation(Tokenizer tokenizer, long[] prompt, long[] generated) {
        String before = tokenizer.decode(toInts(prompt));
        String all = tokenizer.decode(toInts(concat(prompt, generated)));
        return all.startsWith(before) ? all.substring(before.length()) : tokenizer.decode(toInts(generated));
    }

    private static long[] concat(long[] a, long[] b) {
        return LongStream.concat(Arrays.stream(a), Arrays.stream(b)).toArray();
    }

    private static int[] toInts(long[] ids) {
        return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
    }
}
