package mixtral.inspector.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import mixtral.config.ConfigJson;
import mixtral.config.MixtralConfig;
import mixtral.demo.DemoModel;
import mixtral.evidence.Sha256;
import mixtral.inspector.about.Evidence;
import mixtral.inspector.about.Examples;
import mixtral.inspector.about.Examples.Example;
import mixtral.inspector.about.ModelCard;
import mixtral.inspector.text.IdCodec;
import mixtral.inspector.text.TextCodec;
import mixtral.inspector.text.TokenizerCodec;
import mixtral.model.MixtralModel;
import mixtral.model.RoutingRule;
import mixtral.model.WeightMemory;
import mixtral.tokenizer.Tokenizer;
import mixtral.weights.Checkpoint;

/**
 * The model the inspector serves, with what the page needs to say about it.
 *
 * @param name          short name for the page header
 * @param description   one honest sentence: where the weights come from and what their routing can show
 * @param randomWeights whether the weights are known to be random (routing then shows the mechanics, not learned
 *                      specialisation); nothing in a checkpoint folder says so, so it is false for every folder
 * @param fingerprint   identifies the weights: trace ids are derived from it, so a trace never meets another model
 * @param weights       how the weights are stored on disk
 * @param examples      the example prompts; the first is traced at start, so the page's first load shows a trace
 * @param card          where the weights come from, for the page; null when nothing is known beyond the description
 * @param evidence      what the routing learned on held-out text, or why there is nothing to show
 */
public record InspectedModel(String name, String description, boolean randomWeights, MixtralModel model,
                             TextCodec codec, String fingerprint, WeightFiles weights, List<Example> examples,
                             ModelCard card, Evidence evidence) {
    /** Weight files up to this size are hashed whole; larger ones by name, size and modification time. */
    private static final long HASH_WHOLE_BYTES = 64L << 20;

    /** The weight files: their total size, and the element type of the embedding (e.g. BF16). */
    public record WeightFiles(long bytes, String dtype) {
        static WeightFiles of(Checkpoint checkpoint) {
            long bytes = 0;
            for (Path f : checkpoint.files()) {
                try {
                    bytes += Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the weights of " + checkpoint.dir(), e);
                }
            }
            return new WeightFiles(bytes, checkpoint.tensorInfo(checkpoint.layout().embedding()).dtype().name());
        }
    }

    public MixtralConfig config() {
        return model.config();
    }

    /** The prompt traced at start: the first example. */
    public String examplePrompt() {
        return examples.get(0).text();
    }

    /**
     * The embedded demo model, trained on five languages and code (see {@code trained-model/README.md}), with its
     * tokenizer, its card and the evidence of what its routing learned.
     */
    public static InspectedModel demo() {
        Path dir = DemoModel.folder();
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            MixtralModel model = MixtralModel.load(checkpoint);
            return new InspectedModel("Demo Mixtral (trained)", DemoModel.DESCRIPTION, false, model,
                    new TokenizerCodec(Tokenizer.findInModelFolder(dir)), fingerprint(checkpoint),
                    WeightFiles.of(checkpoint), Examples.TEXT, ModelCard.DEMO,
                    Evidence.demo(model.config(), dir.resolve("model.safetensors")));
        }
    }

    /** A checkpoint folder (HF or Mistral-native), loaded into memory, with its tokenizer if it has one. */
    public static InspectedModel fromFolder(Path dir) {
        return fromFolder(dir, c -> WeightMemory.unbounded());
    }

    /**
     * A checkpoint folder whose float32 weights are held as {@code memory} decides for its configuration: all loaded,
     * or streamed from the checkpoint within a budget (the checkpoint then stays open while the server runs).
     */
    public static InspectedModel fromFolder(Path dir, Function<MixtralConfig, WeightMemory> memory) {
        Checkpoint checkpoint = Checkpoint.open(dir);
        WeightMemory weights = memory.apply(checkpoint.config());
        try {
            MixtralModel model = MixtralModel.load(checkpoint, RoutingRule.MIXTRAL, weights);
            Path abs = dir.toAbsolutePath().normalize();
            boolean hasTokenizer = Files.isRegularFile(dir.resolve("tokenizer.model"))
                    || Files.isRegularFile(dir.resolve("tokenizer.json"));
            TextCodec codec = hasTokenizer ? new TokenizerCodec(Tokenizer.findInModelFolder(dir)) : new IdCodec();
            return new InspectedModel(abs.getFileName().toString(),
                    "Checkpoint " + abs + " (" + checkpoint.layout() + " layout).", false, model, codec,
                    fingerprint(checkpoint), WeightFiles.of(checkpoint), hasTokenizer ? Examples.TEXT : Examples.IDS,
                    null, Evidence.none("no evidence for " + abs.getFileName()
                            + ": the inspector shows it for the embedded demo model only"));
        } finally {
            if (!weights.isBounded()) {
                checkpoint.close();
            }
        }
    }

    /** A digest of the configuration and the weight files, so that equal weights give equal trace ids anywhere. */
    static String fingerprint(Checkpoint checkpoint) {
        try {
            Sha256.Digest sha = Sha256.digest().add(ConfigJson.toHuggingFaceString(checkpoint.config()));
            List<Path> files = checkpoint.files().stream().sorted().toList();
            long total = 0;
            for (Path f : files) {
                total += Files.size(f);
            }
            for (Path f : files) {
                sha.add(f.getFileName().toString());
                if (total <= HASH_WHOLE_BYTES) {
                    sha.add(f);
                } else {
                    sha.add(Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis());
                }
            }
            return "sha256:" + sha.hex();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the weights of " + checkpoint.dir(), e);
        }
    }
}
