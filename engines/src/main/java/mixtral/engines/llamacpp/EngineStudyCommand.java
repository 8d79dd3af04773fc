package mixtral.engines.llamacpp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import mixtral.BadInputException;
import mixtral.demo.DemoModel;
import mixtral.gguf.GgmlType;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import mixtral.cli.PluginCommand;

/** {@code ./mixtral engine-study}: what quantisation does to llama.cpp's Mixtral, as the tables of docs/engines.md. */
@Command(name = "engine-study", mixinStandardHelpOptions = true,
        description = "Compare llama.cpp at several weight types with the float32 reference on the prompts of golden "
                + "cases (the tokens of each CASE/golden.safetensors) and print the tables of docs/engines.md.")
public final class EngineStudyCommand implements Callable<Integer>, PluginCommand {
    @Option(names = "--model", paramLabel = "DIR", description = "Checkpoint folder; the embedded demo model if absent.")
    Path model;

    @Option(names = "--cases", paramLabel = "DIR", defaultValue = "golden/cases/trained",
            description = "Folder of case folders, each with a golden.safetensors holding its tokens (default: ${DEFAULT-VALUE}).")
    Path cases;

    @Option(names = "--quant", split = ",", paramLabel = "TYPE", defaultValue = "F32,F16,Q8_0,Q4_0",
            description = "Weight types to run (default: ${DEFAULT-VALUE}).")
    List<String> quant;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Also write the tables to FILE.")
    Path markdown;

    @Override
    public Integer call() throws IOException {
        List<GgmlType> types = quant.stream().map(GgmlType::parse).toList();
        Path dir = model != null ? model : DemoModel.folder();
        Map<String, long[]> prompts = new LinkedHashMap<>();
        if (!Files.isDirectory(cases)) {
            throw new BadInputException(cases + ": not a folder of golden cases");
        }
        try (Stream<Path> s = Files.list(cases)) {
            for (Path c : s.filter(p -> Files.isRegularFile(p.resolve("golden.safetensors"))).sorted().toList()) {
                prompts.put(c.getFileName().toString(),
                        Trace.read(c.resolve("golden.safetensors")).get(TensorNames.TOKENS).toLongVector());
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (prompts.isEmpty()) {
            throw new BadInputException(cases + ": no case folder with a golden.safetensors");
        }
        List<QuantizationStudy.Run> runs = QuantizationStudy.run(dir, prompts, types);
        int layers = runs.get(0).report().routing().size();
        String md = QuantizationStudy.markdown(runs, layers, "weights", "llama.cpp");
        System.out.print(md);
        System.out.println("\nprompts: " + prompts.size() + " (" + prompts.values().stream().mapToInt(p -> p.length).sum()
                + " tokens): " + String.join(", ", prompts.keySet()) + "; engine: " + LlamaCppLibraries.DESCRIPTION
                + "; weights of " + dir + "; types " + Arrays.toString(types.toArray()));
        if (markdown != null) {
            Files.writeString(markdown, md);
        }
        return 0;
    }
}
