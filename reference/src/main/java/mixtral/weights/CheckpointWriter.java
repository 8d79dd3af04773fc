package mixtral.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import mixtral.BadInputException;
import mixtral.OutputFile;
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

    /** The largest Java array in bytes, a little under 2^31 (some JVMs keep a few header words). */
    private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

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
            throw new BadInputException(shards + " shards for only " + tensors.size() + " tensors: at most one shard "
                    + "per tensor");
        }
        checkResources(tensors, dir);
        ObjectNode weightMap = JSON.createObjectNode();
        long totalBytes = 0;
        for (int k = 0; k < shards; k++) {
            String file = shards == 1 ? layout.singleFile : layout.shardFile(k + 1, shards);
            SafetensorsWriter out = new SafetensorsWriter().metadata("format", "pt");  // transformers requires it
            for (Layout.Expected x : shard(tensors, k, shards)) {
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

    /** The tensors of shard k (from 0) of n: consecutive, as evenly split as whole tensors allow. */
    private static <T> List<T> shard(List<T> tensors, int k, int n) {
        return tensors.subList(k * tensors.size() / n, (k + 1) * tensors.size() / n);
    }

    /**
     * Refuses, before anything is computed, a checkpoint this machine cannot write: a tensor too large for one Java
     * array, a shard that does not fit the heap (a shard is held in memory until it is written, beside float32 copies
     * of the tensor being converted), or files that do not fit the disk.
     */
    private void checkResources(List<Layout.Expected> tensors, Path dir) {
        long largestTensor = 0;
        long largestShard = 0;
        long total = 0;
        for (int k = 0; k < shards; k++) {
            long shardBytes = 0;
            for (Layout.Expected x : shard(tensors, k, shards)) {
                long elements = Arrays.stream(x.shape()).reduce(1, Math::multiplyExact);
                if (elements * Float.BYTES > MAX_ARRAY_BYTES) {
                    throw new BadInputException(String.format(Locale.ROOT, "tensor '%s' %s has %,d elements: its "
                            + "float32 copy would exceed the largest Java array (%,d bytes)", x.name(),
                            Arrays.toString(x.shape()), elements, MAX_ARRAY_BYTES));
                }
                largestTensor = Math.max(largestTensor, elements);
                shardBytes += elements * dtype.bytes;
            }
            largestShard = Math.max(largestShard, shardBytes);
            total += shardBytes;
        }
        Runtime rt = Runtime.getRuntime();
        long heapFree = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        long copies = 2L * Float.BYTES * largestTensor;      // the source's float[] and the one stored() makes
        if (largestShard + copies > heapFree) {
            String more = copies + largestTensor * dtype.bytes > heapFree ? "raise the heap (MIXTRAL_HEAP=16g)"
                    : String.format(Locale.ROOT, "write more shards (about %,d) or raise the heap (MIXTRAL_HEAP=16g)",
                    Math.max(shards + 1, 2 * total / (heapFree - copies)));
            throw new BadInputException(String.format(Locale.ROOT, "writing this checkpoint holds %s in memory: its "
                    + "largest shard (%s) and two float32 copies of its largest tensor; the Java heap has %s free: %s",
                    gb(largestShard + copies), gb(largestShard), gb(heapFree), more));
        }
        OutputFile.checkSpace(dir, total, String.format(Locale.ROOT, "this checkpoint (%,d weights as %s)",
                total / dtype.bytes, dtype));
    }

    private static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
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
        OutputFile.write(target, out -> out.write(
                (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8)));
    }
}
