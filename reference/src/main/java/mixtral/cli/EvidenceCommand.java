package mixtral.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import mixtral.BadInputException;
import mixtral.OutputFile;
import mixtral.config.MixtralConfig;
import mixtral.evidence.CorpusManifest;
import mixtral.evidence.Evidence;
import mixtral.evidence.EvidenceJson;
import mixtral.evidence.EvidenceMarkdown;
import mixtral.evidence.EvidenceReport;
import mixtral.evidence.HeldoutSet;
import mixtral.evidence.RoutingTally;
import mixtral.model.MixtralModel;
import mixtral.tokenizer.Tokenizer;
import mixtral.weights.Checkpoint;
import mixtral.weights.RandomWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

@Command(name = "evidence", mixinStandardHelpOptions = true,
        description = {"What the trained model's experts learned: on the held-out text, per layer and group (language "
                + "or code), the expert load, how much the first-choice expert tells about the group (mutual "
                + "information, classifier accuracy) and the repeated consecutive assignments, beside a random-weight "
                + "model of the same shape and chance.",
            "Run from the repository root after " + HeldoutSet.CORPUS_STEP + ". Writes JSON (read by the "
                + "inspector) and a markdown page; both name the commands that make them again from a fresh clone."})
final class EvidenceCommand implements Callable<Integer> {
    /** Tokens per window, BOS included: train.py's seq_len. */
    static final int WINDOW_TOKENS = 256;

    @Mixin
    ModelOption model = new ModelOption();

    @Option(names = "--heldout", paramLabel = "DIR", defaultValue = "trained-model/heldout",
            description = "Folder of <source>.txt held-out texts (default ${DEFAULT-VALUE}).")
    Path heldout;

    @Option(names = "--manifest", paramLabel = "FILE", defaultValue = "trained-model/corpus-manifest.json",
            description = "Corpus manifest naming each source and its group (default ${DEFAULT-VALUE}).")
    Path manifest;

    @Option(names = "--windows", paramLabel = "N", defaultValue = "24",
            description = "Windows of " + WINDOW_TOKENS + " tokens per source (default ${DEFAULT-VALUE}, as many as "
                    + "train.py's held-out perplexity).")
    int windows;

    @Option(names = "--random-seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the random-weight model (default ${DEFAULT-VALUE}).")
    long randomSeed;

    @Option(names = "--json", paramLabel = "FILE", defaultValue = "reference/src/main/resources/demo-model/evidence.json",
            description = "JSON output (default ${DEFAULT-VALUE}).")
    Path json;

    @Option(names = "--markdown", paramLabel = "FILE", defaultValue = "docs/evidence.md",
            description = "Markdown page output (default ${DEFAULT-VALUE}).")
    Path markdown;

    @Option(names = "--note", paramLabel = "TEXT", description = "A sentence for the page's header, e.g. which weights these are.")
    String note;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (windows < 1) {
            throw new BadInputException("--windows must be at least 1, got " + windows);
        }
        checkFolderOf(json, "--json");
        checkFolderOf(markdown, "--markdown");
        Path folder = model.folder();
        CorpusManifest corpus = CorpusManifest.read(manifest);
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            MixtralConfig config = checkpoint.config();
            Tokenizer tokenizer = Tokenizer.findInModelFolder(folder);
            HeldoutSet data = HeldoutSet.read(corpus, heldout, tokenizer, WINDOW_TOKENS, windows);
            MixtralModel trainedModel = MixtralModel.load(checkpoint);
            MixtralModel randomModel = MixtralModel.load(RandomWeights.huggingFaceInit(config, randomSeed));
            RoutingTally trained;
            RoutingTally random;
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("evidence").setInitialMax(2L * data.windows().size())
                    .setUnit(" windows", 1).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).build()) {
                bar.setExtraMessage("trained model");
                trained = Evidence.tally(trainedModel, data, bar::step);
                bar.setExtraMessage("random model");
                random = Evidence.tally(randomModel, data, bar::step);
            }
            EvidenceReport report = Evidence.report(what(), command(spec.commandLine().getParseResult(),
                            Path.of("").toAbsolutePath()), config,
                    checkpoint.files(), corpus, data, trained, random);
            EvidenceJson.write(report, json);
            Files.writeString(markdown, EvidenceMarkdown.render(report, randomSeed, note), StandardCharsets.UTF_8);
            print(report);
        }
        return Main.OK;
    }

    private String what() {
        return "Routing of the model on held-out text beside a random-weight model of the same shape (Hugging Face "
                + "initialisation, seed " + randomSeed + "): expert load per group, what the first-choice expert "
                + "tells about the group, repeated consecutive assignments";
    }

    /**
     * How to make these files again from a fresh clone, at its root: the corpus step (git does not keep the held-out
     * text), then this command with each option as given, paths relative to the root and options at their default left
     * out. A path outside the root stays as given: it names data that a clone does not have.
     */
    static String command(ParseResult parsed, Path root) {
        StringBuilder b = new StringBuilder(HeldoutSet.CORPUS_STEP + " && ./mixtral evidence");
        for (OptionSpec o : parsed.matchedOptions()) {
            boolean path = o.type() == Path.class;
            String value = path ? relative(o.getValue(), root) : String.valueOf((Object) o.getValue());
            String fallback = o.defaultValue() == null ? null
                    : path ? relative(Path.of(o.defaultValue()), root) : o.defaultValue();
            if (!value.equals(fallback)) {
                b.append(' ').append(o.longestName()).append(' ').append(value.matches("[\\w./=:,@+-]+") ? value
                        : "'" + value.replace("'", "'\\''") + "'");
            }
        }
        return b.toString();
    }

    private static String relative(Path p, Path root) {
        Path absolute = root.resolve(p).normalize();
        return absolute.startsWith(root) ? root.relativize(absolute).toString().replace('\\', '/') : p.toString();
    }

    private static void checkFolderOf(Path file, String option) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new BadInputException(option + " " + file + ": folder " + parent
                    + " does not exist (run from the repository root, or give another " + option + ")");
        }
        OutputFile.check(file, option);
    }

    private void print(EvidenceReport r) {
        System.out.printf(Locale.ROOT, "%,d tokens (%s), %d windows of %d per source%n", r.tokens(),
                String.join(" ", r.groups()), r.heldout().windowsPerSource(), r.heldout().windowTokens());
        System.out.printf(Locale.ROOT, "layer  bits trained  random  accuracy trained  random (chance %.1f%%)%n",
                100 * r.chance().classifierAccuracy());
        for (int l = 0; l < r.model().layers(); l++) {
            System.out.printf(Locale.ROOT, "%5d  %12.3f  %6.3f  %15.1f%%  %5.1f%%%n", l,
                    r.trained().mutualInformationBits()[l], r.random().mutualInformationBits()[l],
                    100 * r.trained().classifierAccuracy()[l], 100 * r.random().classifierAccuracy()[l]);
        }
        System.out.println("wrote " + json + " and " + markdown);
    }
}
