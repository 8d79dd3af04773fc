package mixtral.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import mixtral.config.HuggingFaceConfigJson;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.DType;
import mixtral.weights.Layout;

/**
 * Writes a large BF16 checkpoint in the Hugging Face layout, sharded like the published files, without holding any
 * tensor in memory: each tensor's bytes are generated in 4 MB chunks straight into the file. The values are uniform
 * in +-1/sqrt(fan-in) (norm weights 1), enough for the forward pass to behave like a model's; they are not meant to
 * match {@link mixtral.weights.RandomWeights}.
 */
final class SyntheticCheckpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 4 << 20;

    private SyntheticCheckpoint() {}

    /** Writes config.json, the shards of at most {@code shardBytes} each and the index; returns the bytes of weights. */
    static long write(MixtralConfig c, Path dir, long shardBytes, long seed, LongConsumer progress) throws IOException {
        Files.createDirectories(dir);
        List<List<Layout.Expected>> shards = new ArrayList<>();
        long inShard = 0;
        for (Layout.Expected x : Layout.HUGGING_FACE.expectedTensors(c).values()) {
            long bytes = numel(x.shape()) * DType.BF16.bytes;
            if (shards.isEmpty() || inShard + bytes > shardBytes) {
                shards.add(new ArrayList<>());
                inShard = 0;
            }
            shards.get(shards.size() - 1).add(x);
            inShard += bytes;
        }
        ObjectNode weightMap = JSON.createObjectNode();
        long total = 0;
        SplittableRandom random = new SplittableRandom(seed);
        for (int k = 0; k < shards.size(); k++) {
            String file = Layout.HUGGING_FACE.shardFile(k + 1, shards.size());
            total += writeShard(dir.resolve(file), shards.get(k), random, progress);
            shards.get(k).forEach(x -> weightMap.put(x.name(), file));
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        index.set("weight_map", weightMap);
        Files.writeString(dir.resolve(Layout.HUGGING_FACE.indexFile), index.toPrettyString(), StandardCharsets.UTF_8);
        // bfloat16 is what writeShard stores, as the published 8x7B config says
        ObjectNode config = JSON.valueToTree(HuggingFaceConfigJson.published(c, "bfloat16"));
        Files.writeString(dir.resolve(Layout.HUGGING_FACE.configFile), config.toPrettyString(), StandardCharsets.UTF_8);
        return total;
    }

    private static long writeShard(Path file, List<Layout.Expected> tensors, SplittableRandom random,
                                   LongConsumer progress) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Layout.Expected x : tensors) {
            long bytes = numel(x.shape()) * DType.BF16.bytes;
            ObjectNode t = header.putObject(x.name()).put("dtype", "BF16");
            for (long s : x.shape()) {
                t.withArray("shape").add(s);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(head.flip());
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (Layout.Expected x : tensors) {
                boolean norm = x.shape().length == 1;
                float scale = norm ? 0 : (float) (1 / Math.sqrt(x.shape()[x.shape().length - 1]));
                for (long left = numel(x.shape()); left > 0; ) {
                    buf.clear();
                    int n = (int) Math.min(left, CHUNK / 2);
                    for (int i = 0; i < n; i++) {
                        float v = norm ? 1f : (float) (random.nextDouble() * 2 - 1) * scale;
                        buf.putShort(DType.floatToBf16(v));
                    }
                    buf.flip();
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    left -= n;
                    progress.accept(2L * n);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return offset;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }
}
