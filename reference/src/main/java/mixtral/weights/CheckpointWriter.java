package mixtral.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mixtral.config.HuggingFaceConfigJson;
import mixtral.config.MistralParamsJson;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.DType;
import mixtral.safetensors.SafetensorsWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes any {@link WeightSource} as a model folder that {@link Checkpoint#open} and the published implementations
 * both load: Hugging Face ({@code config.json} + {@code model.safetensors}, or shards + {@code model.safetensors.index.json})
 * or Mistral-native ({@code params.json} + {@code consolidated.safetensors}, query and key rows interleaved).
 * Used by tests, demos and benchmarks to make tiny checkpoints; it holds one shard in memory at a time.
 *
 * <pre>{@code new CheckpointWriter(Layout.MISTRAL).dtype(DType.BF16).write(new RandomWeights(config, 1), dir);}</pre>
 */
public final class CheckpointWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Layout layout;
    private DType dtype = DType.F32;
    private int shards = 1;

    public CheckpointWriter(Layout layout) {
        this.layout = layout;
    }

    /** Stored element type: F32 (default), F16 or BF16. */
    public CheckpointWriter dtype(DType dtype) {
        if (!dtype.isFloat()) {
            throw new IllegalArgumentException("weights are stored as F32, F16 or BF16, not " + dtype);
        }
        this.dtype = dtype;
        return this;
    }

    /** Number of weight files; more than one adds the layout's shard index. */
    public CheckpointWriter shards(int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be at least 1, got " + shards);
        }
        this.shards = shards;
        return this;
    }

    /** Writes the folder (created if needed); each file appears atomically. */
    public void write(WeightSource weights, Path dir) {
        MixtralConfig c = weights.config();
        // made first: a configuration this layout cannot hold is refused before any file is written
        Record config = layout == Layout.HUGGING_FACE
                ? HuggingFaceConfigJson.published(c, null)     // the stored dtype is in the safetensors header
                : MistralParamsJson.from(c);
        List<Layout.Expected> tensors = new ArrayList<>(layout.expectedTensors(c).values());
        if (shards > tensors.size()) {
            throw new IllegalArgumentException(shards + " shards for only " + tensors.size() + " tensors");
        }
        ObjectNode weightMap = JSON.createObjectNode();
        long totalBytes = 0;
        for (int k = 0; k < shards; k++) {
            String file = shards == 1 ? layout.singleFile : layout.shardFile(k + 1, shards);
            SafetensorsWriter out = new SafetensorsWriter().metadata("format", "pt");  // transformers requires it
            for (Layout.Expected x : tensors.subList(k * tensors.size() / shards, (k + 1) * tensors.size() / shards)) {
                float[] values = stored(x, x.value().apply(weights), c);
                out.add(x.name(), values, x.shape(), dtype);
                weightMap.put(x.name(), file);
                totalBytes += (long) values.length * dtype.bytes;
            }
            out.write(dir.resolve(file));
        }
        if (shards > 1) {
            ObjectNode index = JSON.createObjectNode();
            index.putObject("metadata").put("total_size", totalBytes);
            index.set("weight_map", weightMap);
            writeJson(index, dir.resolve(layout.indexFile));
        }
        writeJson(JSON.valueToTree(config), dir.resolve(layout.configFile));
    }

    /** The values as this layout stores them: query and key rows interleaved for Mistral-native files. */
    private float[] stored(Layout.Expected x, INDArray a, MixtralConfig c) {
        if (!Arrays.equals(a.shape(), x.shape())) {
            throw new IllegalArgumentException(x.name() + ": the weight source gave shape " + Arrays.toString(a.shape())
                    + ", expected " + Arrays.toString(x.shape()));
        }
        float[] values = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
        if (layout.interleavedRope && x.ropeHeads() > 0) {
            return RopeRows.rotateHalfToInterleaved(values, x.ropeHeads(), c.headDim(), c.hiddenSize());
        }
        return values;
    }

    private static void writeJson(ObjectNode node, Path target) {
        Path abs = target.toAbsolutePath();
        try {
            Files.createDirectories(abs.getParent());
            Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".partial");
            String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
