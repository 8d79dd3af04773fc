package mixtral.weights;

import static mixtral.weights.TinyCheckpoints.assertSameWeights;
import static mixtral.weights.TinyCheckpoints.editHeader;
import static mixtral.weights.TinyCheckpoints.editJson;
import static mixtral.weights.TinyCheckpoints.randomWeights;
import static mixtral.weights.TinyCheckpoints.rewrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import mixtral.BadInputException;
import mixtral.safetensors.DType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every class of broken model folder is refused at open time with its own one-line message naming file and tensor. */
class MalformedCheckpointTest {
    @TempDir
    Path dir;
    Path weights;
    RandomWeights written;

    @BeforeEach
    void writeAValidCheckpoint() {
        written = randomWeights();
        new CheckpointWriter(Layout.HUGGING_FACE).write(written, dir);
        weights = dir.resolve("model.safetensors");
    }

    /** The message of the refusal, checked to be a single line that names {@code file}. */
    private String refusal(String file) {
        BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.open(dir).close());
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.contains(file), "names " + file + ": " + m);
        return m;
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
        }
    }

    /** The control for every refusal below: unbroken, the same folder opens and serves exactly what was written. */
    @Test
    void theUnbrokenCheckpointOpensWithTheWeightsAndConfigItWasWrittenWith() {
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(written.config(), c.config());
            assertSameWeights(written, c, DType.F32);
        }
    }

    @Test
    void truncatedFileIsRefused() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
            f.setLength(f.length() - 10);
        }
        assertContains(refusal("model.safetensors"), "lie outside the data section", "truncated file?");
    }

    @Test
    void headerLengthPastTheEndOfTheFileIsRefused() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(f.length()).array());
        }
        assertContains(refusal("model.safetensors"), "header length", "is impossible for a file of");
    }

    @Test
    void headerThatIsNotJsonIsRefused() throws Exception {
        byte[] junk = "{not json at all".getBytes();
        ByteBuffer b = ByteBuffer.allocate(8 + junk.length).order(ByteOrder.LITTLE_ENDIAN);
        Files.write(weights, b.putLong(junk.length).put(junk).array());
        assertContains(refusal("model.safetensors"), "header is not valid JSON");
    }

    @Test
    void missingTensorIsNamedWithTheShapeTheConfigImplies() {
        rewrite(weights, r -> r.drop("model.layers.1.self_attn.k_proj.weight"));
        assertContains(refusal("model.safetensors"),
                "missing tensor 'model.layers.1.self_attn.k_proj.weight', expected [8, 16] from config "
                        + "(num_key_value_heads=2, head_dim=4, hidden_size=16)");
    }

    @Test
    void configWithMoreLayersThanTheFileListsWhatIsMissing() throws Exception {
        editJson(dir.resolve("config.json"), c -> c.put("num_hidden_layers", 3));
        assertContains(refusal("model.safetensors"), "missing 19 tensors the config requires: "
                + "'model.layers.2.input_layernorm.weight', 'model.layers.2.self_attn.q_proj.weight', "
                + "'model.layers.2.self_attn.k_proj.weight' and 16 more");
    }

    @Test
    void wrongShapeNamesTensorShapeAndTheConfigValuesBehindIt() {
        rewrite(weights, r -> r.reshape("model.layers.1.block_sparse_moe.experts.3.w2.weight", 32, 16));
        String m = refusal("model.safetensors");
        assertTrue(m.endsWith("model.safetensors: tensor 'model.layers.1.block_sparse_moe.experts.3.w2.weight' has "
                + "shape [32, 16], expected [16, 32] from config (hidden_size=16, intermediate_size=32)"), m);
    }

    @Test
    void wrongShapeInAMistralCheckpointUsesParamsJsonKeys() {
        Path mistral = dir.resolve("mistral");
        new CheckpointWriter(Layout.MISTRAL).write(randomWeights(), mistral);
        rewrite(mistral.resolve("consolidated.safetensors"), r -> r.reshape("layers.0.feed_forward.gate.weight", 2, 32));
        BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.open(mistral));
        assertContains(e.getMessage(), "consolidated.safetensors: tensor 'layers.0.feed_forward.gate.weight' has shape "
                + "[2, 32], expected [4, 16] from config (moe.num_experts=4, dim=16)");
    }

    @Test
    void unexpectedTensorsAreListedWithTheirCount() {
        rewrite(weights, r -> {
            r.out.add("model.layers.0.self_attn.q_proj.bias", new float[16], new long[] {16}, DType.F32);
            r.out.add("model.rotary_emb.inv_freq", new float[2], new long[] {2}, DType.F32);
        });
        assertContains(refusal("model.safetensors"), "2 unexpected tensors for a HUGGING_FACE checkpoint of this "
                + "config: 'model.layers.0.self_attn.q_proj.bias', 'model.rotary_emb.inv_freq'");
    }

    @Test
    void overlappingTensorsAreRefused() throws Exception {
        editHeader(weights, h -> ((ObjectNode) h.get("model.layers.0.post_attention_layernorm.weight"))
                .set("data_offsets", h.get("model.layers.0.input_layernorm.weight").get("data_offsets")));
        assertContains(refusal("model.safetensors"), "overlaps tensor");
    }

    @Test
    void unsupportedDtypeIsRefused() throws Exception {
        editHeader(weights, h -> {
            ObjectNode t = (ObjectNode) h.get("model.norm.weight");
            t.put("dtype", "F64");
            t.putArray("shape").add(8);
        });
        assertContains(refusal("model.safetensors"), "tensor 'model.norm.weight'", "unsupported dtype 'F64'");
    }

    @Test
    void integerTensorWhereAWeightBelongsIsRefused() {
        String gate = "model.layers.0.block_sparse_moe.gate.weight";
        rewrite(weights, r -> r.drop(gate).out.addLongs(gate, new long[4 * 16], 4, 16));
        assertContains(refusal("model.safetensors"), "tensor '" + gate + "' has dtype I64, expected F32, F16 or BF16");
    }

    @Test
    void indexNamingAMissingShardIsRefused() throws Exception {
        Path sharded = shardedCheckpoint();
        Files.delete(sharded.resolve("model-00002-of-00003.safetensors"));
        BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.open(sharded));
        assertContains(e.getMessage(), "model.safetensors.index.json: tensor '",
                "' is in shard 'model-00002-of-00003.safetensors', which does not exist");
    }

    @Test
    void indexMappingATensorToTheWrongShardIsRefused() throws Exception {
        Path sharded = shardedCheckpoint();
        editJson(sharded.resolve("model.safetensors.index.json"), i -> ((ObjectNode) i.get("weight_map"))
                .put("model.embed_tokens.weight", "model-00002-of-00003.safetensors"));
        BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.open(sharded));
        assertContains(e.getMessage(), "model.safetensors.index.json: tensor 'model.embed_tokens.weight' is mapped to "
                + "'model-00002-of-00003.safetensors', but that file does not hold it");
    }

    @Test
    void shardHoldingATensorTheIndexDoesNotListIsRefused() throws Exception {
        Path sharded = shardedCheckpoint();
        editJson(sharded.resolve("model.safetensors.index.json"), i -> ((ObjectNode) i.get("weight_map"))
                .remove("model.embed_tokens.weight"));
        BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.open(sharded));
        assertContains(e.getMessage(), "model-00001-of-00003.safetensors: tensor 'model.embed_tokens.weight' is not "
                + "mapped to this file by model.safetensors.index.json");
    }

    @Test
    void indexPointingOutsideTheFolderIsRefused() throws Exception {
        Path sharded = shardedCheckpoint();
        editJson(sharded.resolve("model.safetensors.index.json"), i -> ((ObjectNode) i.get("weight_map"))
                .put("model.norm.weight", "../model.safetensors"));
        BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.open(sharded));
        assertContains(e.getMessage(), "tensor 'model.norm.weight' maps to \"../model.safetensors\", which is not a "
                + "file name in the model folder");
    }

    private Path shardedCheckpoint() {
        Path sharded = dir.resolve("sharded");
        new CheckpointWriter(Layout.HUGGING_FACE).shards(3).write(randomWeights(), sharded);
        return sharded;
    }

    @Test
    void contradictoryConfigIsRefused() throws Exception {
        editJson(dir.resolve("config.json"), c -> c.put("num_key_value_heads", 3));
        assertContains(refusal("config.json"), "num_attention_heads (4) must be a multiple of num_key_value_heads (3)");
    }

    @Test
    void missingConfigKeyIsRefused() throws Exception {
        editJson(dir.resolve("config.json"), c -> c.remove("intermediate_size"));
        assertContains(refusal("config.json"), "key 'intermediate_size' is missing");
    }

    @Test
    void weightsWithoutTheirConfigFileAreRefused() throws Exception {
        Files.delete(dir.resolve("config.json"));
        assertContains(refusal(dir.toString()), "has model.safetensors weights but no config.json");
    }

    @Test
    void folderWithoutWeightsSaysWhatItLookedFor() throws Exception {
        Files.delete(weights);
        Files.write(dir.resolve("consolidated.00.pth"), new byte[] {1});
        assertContains(refusal(dir.toString()), "no weights found: expected model.safetensors, "
                + "model.safetensors.index.json or consolidated.safetensors", "PyTorch pickle");
    }
}
