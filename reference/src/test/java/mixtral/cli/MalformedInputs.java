package mixtral.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.DType;
import mixtral.safetensors.SafetensorsFile;
import mixtral.safetensors.SafetensorsWriter;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.weights.CheckpointWriter;
import mixtral.weights.Layout;
import mixtral.weights.RandomWeights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The files {@link MalformedInputCliTest} feeds the command line: a tiny checkpoint and a trace of it, each broken in
 * one way, and configurations with absurd sizes. Everything is small: a check that needs a large input to fire must
 * fire before it allocates.
 */
final class MalformedInputs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MalformedInputs() {}

    /** Writes every fixture under {@code d}; the table names them by these file names. */
    static void write(Path d) throws IOException {
        MixtralConfig tiny = RandomCheckpointCommand.tiny();
        checkpoint(tiny, d.resolve("tiny"), DType.F32, 1);
        checkpoint(tiny.toBuilder().maxPositionEmbeddings(16).build(), d.resolve("short"), DType.F32, 1);
        checkpoint(tiny.toBuilder().maxPositionEmbeddings(1_000_000).build(), d.resolve("long"), DType.F32, 1);
        checkpoint(tiny, d.resolve("nan"), DType.F32, 1);
        poke(d.resolve("nan/model.safetensors"), "model.layers.1.block_sparse_moe.experts.3.w2.weight", 70,
                ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(Float.NaN).array());
        checkpoint(tiny, d.resolve("inf"), DType.BF16, 1);
        poke(d.resolve("inf/model.safetensors"), "model.embed_tokens.weight", 64 * 5 + 3, new byte[] {(byte) 0x80, 0x7f});
        checkpoint(tiny, d.resolve("nul"), DType.F32, 2);
        editJson(d.resolve("nul/model.safetensors.index.json"), index -> {
            ObjectNode map = (ObjectNode) index.get("weight_map");
            map.put(map.fieldNames().next(), "model-0000\u00001-of-00002.safetensors");
        });
        checkpoint(tiny, d.resolve("layers"), DType.F32, 1);
        editJson(d.resolve("layers/config.json"), c -> c.put("num_hidden_layers", 1_000_000_000));

        Files.createDirectories(d.resolve("folder"));
        Files.writeString(d.resolve("file"), "not a folder");
        Files.createDirectories(d.resolve("full"));
        Files.writeString(d.resolve("full/keep"), "the user's");
        Files.writeString(d.resolve("garbage"), "garbage that is no model and no trace");
        configs(d);
        safetensors(d);
        traces(d);
    }

    private static void checkpoint(MixtralConfig c, Path dir, DType dtype, int shards) {
        new CheckpointWriter(Layout.HUGGING_FACE).dtype(dtype).shards(shards).write(new RandomWeights(c, 0), dir);
    }

    /** Overwrites element {@code index} (of the stored dtype) of one tensor with {@code value}. */
    private static void poke(Path file, String tensor, long index, byte[] value) throws IOException {
        long at;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            at = f.info(tensor).begin() + index * value.length;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(value), at);
        }
    }

    private static void editJson(Path file, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(root);
        Files.writeString(file, root.toString());
    }

    private static void configs(Path d) throws IOException {
        Path published = Path.of("src/main/resources/configs/mixtral-8x7b-v0.1.json");
        Files.copy(published, d.resolve("8x7b.json"));
        config(published, d.resolve("experts.json"), c -> c.put("num_local_experts", Integer.MAX_VALUE));
        config(published, d.resolve("billion-layers.json"), c -> c.put("num_hidden_layers", 1_000_000_000));
        config(published, d.resolve("vocab.json"), c -> c.put("vocab_size", Integer.MAX_VALUE));
        config(published, d.resolve("overflow.json"), c -> c.put("hidden_size", Integer.MAX_VALUE)
                .put("intermediate_size", Integer.MAX_VALUE).put("num_hidden_layers", 1).put("num_attention_heads", 1)
                .put("num_key_value_heads", 1).put("head_dim", 2));
        config(published, d.resolve("heads.json"), c -> c.put("num_attention_heads", 1 << 16).put("head_dim", 1 << 16)
                .put("num_key_value_heads", 1));
        config(published, d.resolve("tied.json"), c -> c.put("tie_word_embeddings", true));
        Files.writeString(d.resolve("array.json"), "[1, 2]");
        Files.writeString(d.resolve("broken.json"), "{\"hidden_size\": ");
    }

    private static void config(Path from, Path to, Consumer<ObjectNode> edit) throws IOException {
        Files.copy(from, to);
        editJson(to, edit);
    }

    /** Safetensors files broken in their header or layout, each holding one F32 tensor 'x' of 4 values. */
    private static void safetensors(Path d) throws IOException {
        byte[] four = new byte[16];
        raw(d.resolve("offsets-strings.safetensors"), "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[\"0\",\"16\"]}}", four);
        raw(d.resolve("offsets-floats.safetensors"), "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0.0,16.0]}}", four);
        raw(d.resolve("trailing.safetensors"), "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[24]);
        raw(d.resolve("gap.safetensors"), "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", four);
        raw(d.resolve("metadata-list.safetensors"),
                "{\"__metadata__\":[1,2],\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", four);
        raw(d.resolve("metadata-number.safetensors"),
                "{\"__metadata__\":{\"format\":1},\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", four);
        raw(d.resolve("metadata-nested.safetensors"),
                "{\"__metadata__\":{\"a\":{\"b\":\"c\"}},\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", four);
    }

    private static void raw(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).put(data);
        Files.write(file, b.array());
    }

    /** A trace of the tiny checkpoint, and copies broken in one tensor each. */
    private static void traces(Path d) {
        String[] r = CliTest.run("trace", "--model", d.resolve("tiny").toString(), "--tokens", "1,5,9",
                "--out", d.resolve("a.safetensors").toString());
        if (!r[0].equals("0")) {
            throw new IllegalStateException("the fixture trace failed: " + r[2]);
        }
        Trace a = Trace.read(d.resolve("a.safetensors"));
        variant(a, d.resolve("logits-1d.safetensors"), TensorNames.LOGITS, Nd4j.create(new float[] {1, 2, 3, 4}, 4));
        variant(a, d.resolve("logits-scalar.safetensors"), TensorNames.LOGITS, Nd4j.scalar(1f));
        variant(a, d.resolve("router-short.safetensors"), TensorNames.routerLogits(0), Nd4j.rand(2, 8));
        variant(a, d.resolve("experts-9.safetensors"), TensorNames.selectedExperts(0),
                Nd4j.createFromArray(new long[][] {{9, 1}, {0, 1}, {2, 3}}));
        variant(a, d.resolve("experts-half.safetensors"), TensorNames.selectedExperts(0),
                Nd4j.createFromArray(new float[][] {{0.5f, 1}, {0, 1}, {2, 3}}));
        new SafetensorsWriter().add(TensorNames.LOGITS, new float[0], new long[] {0}, DType.F32)
                .write(d.resolve("logits-empty.safetensors"));
        new SafetensorsWriter().add(TensorNames.LOGITS, new float[0], new long[] {0, 256}, DType.F32)
                .addLongs(TensorNames.TOKENS, new long[0], 0).write(d.resolve("zero-tokens.safetensors"));
        new SafetensorsWriter().add("something.else", new float[] {1}, new long[] {1}, DType.F32)
                .write(d.resolve("unrelated.safetensors"));
    }

    private static void variant(Trace t, Path file, String name, INDArray value) {
        Map<String, INDArray> tensors = new LinkedHashMap<>(t.tensors());
        tensors.put(name, value);
        new Trace(tensors, t.metadata()).write(file);
    }
}
