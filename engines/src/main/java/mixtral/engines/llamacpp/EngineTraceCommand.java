package mixtral.engines.llamacpp;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import mixtral.BadInputException;
import mixtral.cli.PluginCommand;
import mixtral.demo.DemoModel;
import mixtral.engines.jlama.JlamaLauncher;
import mixtral.gguf.GgmlType;
import mixtral.tokenizer.Tokenizer;
import mixtral.trace.Trace;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./mixtral engine-trace llama.cpp ...}: what another engine computed, as a trace of our format. */
@Command(name = "engine-trace", mixinStandardHelpOptions = true,
        description = "Run another engine on a checkpoint and write what it computed as a trace (compare it with "
                + "./mixtral compare). Engines: llama.cpp (its libraries from " + LlamaCppLibraries.PACKAGE
                + ", fetched by " + LlamaCppLibraries.FETCH + "; gcc builds its driver on first use); jlama (run in a "
                + "second JVM of JDK 20+, see docs/engines.md).")
public final class EngineTraceCommand implements Callable<Integer>, PluginCommand {
    static final String LLAMA_CPP = "llama.cpp";
    static final String JLAMA = "jlama";

    @Parameters(index = "0", paramLabel = "ENGINE", description = "The engine: " + LLAMA_CPP + " or " + JLAMA + ".")
    String engine;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Checkpoint folder (HF or Mistral-native); the embedded demo model if absent.")
    Path model;

    @ArgGroup(multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--tokens", split = ",", paramLabel = "ID[,ID...]", description = "Token ids, comma separated.")
        List<Long> tokens;

        @Option(names = "--prompt", paramLabel = "TEXT",
                description = "Text, tokenized with the model folder's tokenizer (BOS first).")
        String prompt;
    }

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "The trace to write.")
    Path out;

    @Option(names = "--quant", paramLabel = "TYPE", defaultValue = "F32",
            description = "llama.cpp: type of the GGUF weight matrices, F32, F16, Q8_0 or Q4_0; jlama: its working "
                    + "precision, F32 or BF16 (default: ${DEFAULT-VALUE}).")
    String quant;

    @Option(names = "--path", paramLabel = "batch|token", defaultValue = "batch",
            description = "jlama: run the prompt as one batch (its prompt path) or token by token (its generation "
                    + "path) (default: ${DEFAULT-VALUE}).")
    String path;

    @Option(names = "--attention", description = "Also record the attention probabilities.")
    boolean attention;

    @Override
    public Integer call() {
        Path dir = model != null ? model : DemoModel.folder();
        if (JLAMA.equals(engine)) {
            if (attention) {
                throw new BadInputException("--attention: Jlama keeps its attention probabilities inside its attention");
            }
            System.out.println(JlamaLauncher.trace(dir, ids(dir), out, quant, path));
            return 0;
        }
        if (!LLAMA_CPP.equals(engine)) {
            throw new BadInputException("unknown engine '" + engine + "': this command knows " + LLAMA_CPP + " and "
                    + JLAMA);
        }
        GgmlType type = GgmlType.parse(quant);
        Trace trace = LlamaCppEngine.trace(dir, ids(dir), type, attention);
        trace.write(out);
        System.out.printf("%s: %d tensors from %s%n", out, trace.tensors().size(), trace.metadata().get(LlamaCppEngine.ENGINE));
        return 0;
    }

    private long[] ids(Path dir) {
        if (input.prompt != null) {
            if (input.prompt.isEmpty()) {
                throw new BadInputException("--prompt: give some text");
            }
            return Arrays.stream(Tokenizer.findInModelFolder(dir).encode(input.prompt, true)).asLongStream().toArray();
        }
        return input.tokens.stream().mapToLong(Long::longValue).toArray();
    }
}
