package mixtral.engines.jlama;

import com.github.tjake.jlama.model.JlamaTap;
import com.github.tjake.jlama.model.MoEBlock;
import com.github.tjake.jlama.model.functions.FeedForward;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.SafeTensorSupport;
import com.github.tjake.jlama.util.JsonSupport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BiFunction;
import jdk.incubator.vector.FloatVector;
import mixtral.BadInputException;
import mixtral.config.ConfigReader;
import mixtral.config.MixtralConfig;
import mixtral.engines.EngineMetadata;
import mixtral.engines.jlama.JlamaLauncher;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One forward pass of Jlama's Mixtral on a Hugging Face-layout checkpoint, as a trace of our format. The model class is
 * built from the folder's config and weights with no tokenizer (Jlama's loader insists on a tokenizer.json), fed token
 * ids, and watched by {@link JlamaTap}. Recorded: Jlama's own routing (the experts its {@code MoEBlock} chose and the
 * weights it gave their outputs) and every tensor of the format but attention probabilities, which Jlama keeps inside
 * its attention. Shape legend: T tokens, D hidden, E experts, K experts per token, V vocab.
 */
public final class JlamaEngine {
    /** Jlama's working precision: activations in F32 throughout, or its BF16 quantised working memory. */
    public enum Precision {
        F32(DType.F32), BF16(DType.BF16);

        final DType working;

        Precision(DType working) {
            this.working = working;
        }

        public static Precision parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("unknown Jlama precision '" + s + "': use F32 or BF16");
            }
        }
    }

    /** jlama-core's version, from its jar. */
    public static final String VERSION = version();

    private JlamaEngine() {}

    /** Stock Jlama on {@code tokens}. */
    public static Trace trace(Path modelDir, long[] tokens, Precision precision, JlamaTap.Path path) {
        return trace(modelDir, tokens, precision, path, null, "");
    }

    /**
     * Jlama on {@code tokens}, each layer's MoE replaced by {@code moe} unless it is null; {@code label} is added to
     * the engine's description when it is.
     */
    public static Trace trace(Path modelDir, long[] tokens, Precision precision, JlamaTap.Path path,
                              BiFunction<MoEBlock, JlamaTap.RoutingSink, FeedForward> moe, String label) {
        MixtralConfig c = ConfigReader.readFolder(modelDir);
        JlamaTap.Result r = record(modelDir, tokens, precision, path, moe);
        return Trace.of(c, tensors(r, tokens, c.numExpertsPerTok()))
                .withMetadata(EngineMetadata.ENGINE, "Jlama " + VERSION + " " + precision + " " + pathName(path) + label)
                .withMetadata(EngineMetadata.SETTINGS, settings(precision, path, moe == null));
    }

    /** What Jlama computed, as recorded, the chosen experts in the order its MoE summed them. */
    public static JlamaTap.Result record(Path modelDir, long[] tokens, Precision precision, JlamaTap.Path path,
                                         BiFunction<MoEBlock, JlamaTap.RoutingSink, FeedForward> moe) {
        check(modelDir, ConfigReader.readFolder(modelDir), tokens);
        var model = load(modelDir, precision);
        try {
            int[] ids = Arrays.stream(tokens).mapToInt(Math::toIntExact).toArray();
            return new JlamaTap(model, moe).run(ids, path);
        } finally {
            model.close();
        }
    }

    static String pathName(JlamaTap.Path path) {
        return path == JlamaTap.Path.BATCH ? "batch" : "token-by-token";
    }

    private static String settings(Precision p, JlamaTap.Path path, boolean stock) {
        return "working memory F32, quantised working memory " + p + " (weights held as " + p + "); "
                + (path == JlamaTap.Path.BATCH ? "the prompt as one batch (AbstractModel.batchForward's path)"
                        : "one token at a time (the generation path)")
                + "; not exposed: attention probabilities; router logits are Jlama's dot product of its MoE input and "
                + "gate weight, recomputed (MoEBlock overwrites them with probabilities)"
                + (stock ? "; routing weights are those Jlama applied: 1 for each chosen expert" : "");
    }

    private static com.github.tjake.jlama.model.mixtral.MixtralModel load(Path dir, Precision p) {
        try {
            var config = JsonSupport.om.readValue(dir.resolve("config.json").toFile(),
                    com.github.tjake.jlama.model.mixtral.MixtralConfig.class);
            config.setWorkingDirectory(null);
            var weights = SafeTensorSupport.loadWeights(dir.toFile());
            return new com.github.tjake.jlama.model.mixtral.MixtralModel(config, weights, null, DType.F32, p.working,
                    Optional.of(p.working));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What Jlama can run: Hugging Face layout, token ids in the vocabulary, no shorter sliding window, no head_dim. */
    static void check(Path dir, MixtralConfig c, long[] tokens) {
        if (!Files.isRegularFile(dir.resolve("model.safetensors"))
                && !Files.isRegularFile(dir.resolve("model.safetensors.index.json"))) {
            throw new BadInputException(dir + ": Jlama reads Hugging Face-layout checkpoints (model.safetensors or "
                    + "model.safetensors.index.json), and this folder has neither");
        }
        if (tokens.length == 0) {
            throw new BadInputException("give at least one token");
        }
        for (long id : tokens) {
            if (id < 0 || id >= c.vocabSize()) {
                throw new BadInputException("token id " + id + " is outside the vocabulary (vocab_size " + c.vocabSize() + ")");
            }
        }
        if (c.headDim() * c.numAttentionHeads() != c.hiddenSize()) {
            throw new BadInputException("head_dim " + c.headDim() + " x " + c.numAttentionHeads() + " heads is not "
                    + "hidden_size " + c.hiddenSize() + ": Jlama's Mixtral config has no head_dim");
        }
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        if (c.headDim() % lanes != 0) {
            throw new BadInputException("head_dim " + c.headDim() + " is not a multiple of this JVM's " + lanes
                    + "-float vectors: Jlama's vector operations would read past each head; run its JVM with "
                    + "-XX:MaxVectorSize=" + JlamaLauncher.maxVectorBytes(c.headDim()) + " (./mixtral engine-trace jlama does)");
        }
        if (c.slidingWindow() != null && tokens.length > c.slidingWindow()) {
            throw new BadInputException(tokens.length + " tokens exceed the model's sliding window of "
                    + c.slidingWindow() + ": Jlama's Mixtral has no sliding window, so it would attend further back "
                    + "than the model; trace at most " + c.slidingWindow() + " tokens");
        }
    }

    /** The recording under our names and shapes, the chosen experts ordered by Jlama's probability, highest first. */
    static Map<String, INDArray> tensors(JlamaTap.Result r, long[] tokens, int k) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(TensorNames.TOKENS, Nd4j.createFromArray(tokens.clone()));
        out.put(TensorNames.EMBED, matrix(r.embed));
        for (int l = 0; l < r.layers.size(); l++) {
            JlamaTap.Layer x = r.layers.get(l);
            out.put(TensorNames.attnNorm(l), matrix(x.attnNorm));
            out.put(TensorNames.attnOut(l), matrix(x.attnOut));
            out.put(TensorNames.residMid(l), matrix(x.residMid));
            out.put(TensorNames.moeNorm(l), matrix(x.moeNorm));
            out.put(TensorNames.routerLogits(l), matrix(x.routerLogits));
            out.put(TensorNames.routerProbs(l), matrix(x.routerProbs));
            long[][] sel = new long[x.selected.size()][k];
            float[][] w = new float[x.selected.size()][k];
            for (int t = 0; t < sel.length; t++) {
                float[] p = x.routerProbs.get(t);
                int[] chosen = x.selected.get(t);
                Integer[] order = new Integer[k];
                Arrays.setAll(order, j -> j);
                Arrays.sort(order, (a, b) -> Float.compare(p[chosen[b]], p[chosen[a]]));
                for (int j = 0; j < k; j++) {
                    sel[t][j] = chosen[order[j]];
                    w[t][j] = x.applied.get(t)[order[j]];
                }
            }
            out.put(TensorNames.selectedExperts(l), Nd4j.createFromArray(sel));
            out.put(TensorNames.routingWeights(l), Nd4j.createFromArray(w));
            out.put(TensorNames.moeOut(l), matrix(x.moeOut));
            out.put(TensorNames.residPost(l), matrix(x.residPost));
        }
        out.put(TensorNames.FINAL_NORM, matrix(r.finalNorm));
        out.put(TensorNames.LOGITS, matrix(r.logits));
        return out;
    }

    private static INDArray matrix(List<float[]> rows) {
        return Nd4j.createFromArray(rows.toArray(new float[0][]));
    }

    private static String version() {
        try (InputStream in = MoEBlock.class.getResourceAsStream("/META-INF/maven/com.github.tjake/jlama-core/pom.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "(version unknown)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
