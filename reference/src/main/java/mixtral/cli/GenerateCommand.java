package mixtral.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import mixtral.model.Generator;
import mixtral.model.MixtralModel;
import mixtral.weights.Checkpoint;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt, greedily (default) or by sampling, using the KV cache.")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder (HF or Mistral-native).")
    Path model;

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

    @Option(names = "--json", description = "Print one JSON object: prompt_tokens, new_tokens.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Generator.Settings settings = new Generator.Settings(maxNewTokens, temperature, topP, seed, null);
        try (Checkpoint checkpoint = Checkpoint.open(model)) {
            long[] prompt = input.ids();
            long[] generated = Generator.generate(MixtralModel.load(checkpoint), prompt, settings);
            if (json) {
                ObjectNode o = new ObjectMapper().createObjectNode();
                Arrays.stream(prompt).forEach(o.putArray("prompt_tokens")::add);
                Arrays.stream(generated).forEach(o.putArray("new_tokens")::add);
                System.out.println(o);
            } else {
                System.out.println("prompt tokens: " + Arrays.toString(prompt));
                System.out.println("new tokens:    " + Arrays.toString(generated));
            }
        }
        return Main.OK;
    }
}
