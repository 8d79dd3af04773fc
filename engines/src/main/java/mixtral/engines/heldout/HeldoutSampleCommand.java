package mixtral.engines.heldout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import mixtral.BadInputException;
import mixtral.cli.PluginCommand;
import mixtral.demo.DemoModel;
import mixtral.evidence.CorpusManifest;
import mixtral.evidence.HeldoutSet;
import mixtral.model.MixtralModel;
import mixtral.tokenizer.Tokenizer;
import mixtral.trace.TraceRecorder;
import mixtral.weights.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mixtral heldout-sample}: a few windows of the demo model's held-out text as case folders, so that the
 * engine studies ({@code engine-study --cases}, {@code golden/hf_bf16_study.py --cases}, Jlama's study) run on held-out
 * text exactly as on the golden prompts. Each window is cut as the held-out perplexity's ({@link HeldoutSet}), and
 * its folder holds the reference's trace of it as {@code golden.safetensors} (the studies read its tokens).
 */
@Command(name = "heldout-sample", mixinStandardHelpOptions = true,
        description = "Write a few windows of held-out text as case folders OUT/<source>-<k>/golden.safetensors "
                + "(the reference's trace of the window), for engine-study --cases.")
public final class HeldoutSampleCommand implements Callable<Integer>, PluginCommand {
    @Option(names = "--sources", split = ",", required = true, paramLabel = "NAME",
            description = "Sources of the corpus manifest to sample, e.g. debian-reference-en,python-stdlib311.")
    List<String> sources;

    @Option(names = "--windows", defaultValue = "2", paramLabel = "N",
            description = "Windows per source, evenly spaced over its held-out text (default: ${DEFAULT-VALUE}).")
    int windows;

    @Option(names = "--window-tokens", defaultValue = "48", paramLabel = "T",
            description = "Tokens per window, BOS included (default: ${DEFAULT-VALUE}).")
    int windowTokens;

    @Option(names = "--heldout", defaultValue = "trained-model/heldout", paramLabel = "DIR",
            description = "Folder of <source>.txt held-out texts (default: ${DEFAULT-VALUE}).")
    Path heldout;

    @Option(names = "--manifest", defaultValue = "trained-model/corpus-manifest.json", paramLabel = "FILE",
            description = "Corpus manifest (default: ${DEFAULT-VALUE}).")
    Path manifest;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the case folders in.")
    Path out;

    @Override
    public Integer call() throws Exception {
        CorpusManifest all = CorpusManifest.read(manifest);
        List<CorpusManifest.Source> chosen = sources.stream().map(name -> all.sources().stream()
                .filter(s -> s.source().equals(name)).findFirst()
                .orElseThrow(() -> new BadInputException(manifest + ": no source named '" + name + "'"))).toList();
        Path folder = DemoModel.folder();
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            HeldoutSet set = HeldoutSet.read(new CorpusManifest(chosen, all.sha256()), heldout,
                    Tokenizer.findInModelFolder(folder), windowTokens, windows);
            MixtralModel model = MixtralModel.load(checkpoint);
            int k = 0;
            String previous = "";
            for (HeldoutSet.Window w : set.windows()) {
                k = w.source().equals(previous) ? k + 1 : 0;
                previous = w.source();
                Path dir = Files.createDirectories(out.resolve(w.source() + "-" + k));
                TraceRecorder rec = TraceRecorder.all(false);
                model.forward(w.tokens(), rec);
                rec.toTrace(model.config()).write(dir.resolve("golden.safetensors"));
                System.out.printf("%s: %d tokens%n", dir, w.tokens().length);
            }
        }
        return 0;
    }
}
