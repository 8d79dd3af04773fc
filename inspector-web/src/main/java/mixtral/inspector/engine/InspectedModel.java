package mixtral.inspector.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import mixtral.config.ConfigJson;
import mixtral.config.MixtralConfig;
import mixtral.demo.DemoModel;
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
 * @param randomWeights whether the weights are random (routing then shows the mechanics, not learned specialisation)
 * @param fingerprint   identifies the weights: trace ids are derived from it, so a trace never meets another model
 * @param examplePrompt the prompt the page traces on first load
 */
public record InspectedModel(String name, String description, boolean randomWeights, MixtralModel model,
                             TextCodec codec, String fingerprint, String examplePrompt) {
    /** Weight files up to this size are hashed whole; larger ones by name, size and modification time. */
    private static final long HASH_WHOLE_BYTES = 64L << 20;
    private static final String EXAMPLE_TEXT = "The router sends every token to two of its eight experts. "
            + "Le routeur choisit deux experts pour chaque mot.";

    public MixtralConfig config() {
        return model.config();
    }

    /** The embedded demo model (6 layers, 8 experts, top-2, random weights) with the project's tokenizer. */
    public static InspectedModel demo() {
        Path dir = DemoModel.folder();
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            return new InspectedModel("Demo Mixtral (random weights)", DemoModel.DESCRIPTION, true,
                    MixtralModel.load(checkpoint), new TokenizerCodec(Tokenizer.findInModelFolder(dir)),
                    fingerprint(checkpoint), EXAMPLE_TEXT);
        }
    }

    /** A checkpoint folder (HF or Mistral-native), loaded into memory, with its tokenizer if it has one. */
    public static InspectedModel fromFolder(Path dir) {
        return fromFolder(dir, c -> WeightMemory.unbounded());
    }

    /**
     * A checkpoint folder whose float32 weights are held as {@code memory} decides for its configuration: all loaded,
     * or streamed from the memory-mapped files within a budget (the checkpoint then stays open while the server runs).
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
                    fingerprint(checkpoint), hasTokenizer ? EXAMPLE_TEXT : "1 17 42 9");
        } finally {
            if (!weights.isBounded()) {
                checkpoint.close();
            }
        }
    }

    /** A digest of the configuration and the weight files, so that equal weights give equal trace ids anywhere. */
    static String fingerprint(Checkpoint checkpoint) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ConfigJson.toHuggingFaceString(checkpoint.config()).getBytes(StandardCharsets.UTF_8));
            List<Path> files = checkpoint.files().stream().sorted().toList();
            long total = 0;
            for (Path f : files) {
                total += Files.size(f);
            }
            for (Path f : files) {
                sha.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                if (total <= HASH_WHOLE_BYTES) {
                    try (InputStream in = new DigestInputStream(Files.newInputStream(f), sha)) {
                        in.transferTo(OutputStream.nullOutputStream());
                    }
                } else {
                    sha.update((Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis())
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the weights of " + checkpoint.dir(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
