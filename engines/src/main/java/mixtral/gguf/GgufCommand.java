package mixtral.gguf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import mixtral.cli.PluginCommand;
import mixtral.demo.DemoModel;
import mixtral.weights.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./mixtral gguf}: a checkpoint folder as a GGUF file llama.cpp runs. */
@Command(name = "gguf", mixinStandardHelpOptions = true,
        description = "Write a checkpoint as GGUF for llama.cpp (architecture llama, stacked experts, q/k rows in "
                + "llama.cpp's RoPE order, router and norms F32).")
public final class GgufCommand implements Callable<Integer>, PluginCommand {
    @Option(names = "--model", paramLabel = "DIR", description = "Checkpoint folder (HF or Mistral-native); the embedded demo model if absent.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE.gguf", description = "The GGUF file to write.")
    Path out;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "F32",
            description = "Type of the weight matrices: F32, F16, Q8_0 or Q4_0 (default: ${DEFAULT-VALUE}).")
    String type;

    @Override
    public Integer call() {
        GgmlType t = GgmlType.parse(type);
        Path dir = model != null ? model : DemoModel.folder();
        MixtralGguf.Summary s;
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            if (checkpoint.config().slidingWindow() != null) {
                System.err.println("mixtral: note: llama.cpp's llama architecture has no sliding window: sequences"
                        + " longer than " + checkpoint.config().slidingWindow() + " tokens will differ from the model");
            }
            s = MixtralGguf.write(checkpoint, dir, t, out);
        }
        System.out.printf("%s: %,d bytes, tensors by type %s, vocabulary %s%n", out, size(out), s.tensorsByType(),
                s.placeholderVocabulary() ? "placeholder (no tokenizer.model: run from token ids)" : "from tokenizer.model");
        return 0;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
