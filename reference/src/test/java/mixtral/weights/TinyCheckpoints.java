package mixtral.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.DType;
import mixtral.safetensors.SafetensorsFile;
import mixtral.safetensors.SafetensorsWriter;
import mixtral.safetensors.TensorInfo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Tiny configurations and the file surgery the checkpoint tests need. */
final class TinyCheckpoints {
    static final ObjectMapper JSON = new ObjectMapper();

    private TinyCheckpoints() {}

    /** D=16, H=4, KV=2, Hd=4, F=32, E=4, K=2, V=50, L=2. */
    static MixtralConfig tiny(boolean tied) {
        return MixtralConfig.builder()
                .hiddenSize(16).intermediateSize(32).numHiddenLayers(2)
                .numAttentionHeads(4).numKeyValueHeads(2).headDim(4)
                .numLocalExperts(4).numExpertsPerTok(2).vocabSize(50)
                .ropeTheta(1e6).rmsNormEps(1e-5).maxPositionEmbeddings(32768)
                .tieWordEmbeddings(tied)
                .build();
    }

    static MixtralConfig tiny() {
        return tiny(false);
    }

    static RandomWeights randomWeights() {
        return new RandomWeights(tiny(), 7);
    }

    static float[] values(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    /** Every weight of {@code actual}, by role, equals {@code expected}'s after {@code round}, bit for bit. */
    static void assertSameWeights(WeightSource expected, WeightSource actual, DType round) {
        for (Layout.Expected x : Layout.HUGGING_FACE.expectedTensors(expected.config()).values()) {
            INDArray want = x.value().apply(expected);
            INDArray got = x.value().apply(actual);
            assertArrayEquals(want.shape(), got.shape(), x.name());
            assertArrayEquals(rounded(values(want), round), values(got), x.name());
        }
    }

    static float[] rounded(float[] v, DType dtype) {
        float[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case F32 -> out[i];
                case BF16 -> DType.bf16ToFloat(DType.floatToBf16(out[i]));
                case F16 -> DType.f16ToFloat(DType.floatToF16(out[i]));
                default -> throw new IllegalArgumentException(dtype.name());
            };
        }
        return out;
    }

    /** Rewrites a safetensors file tensor by tensor; {@code edit} may remove, replace or add entries. */
    static void rewrite(Path file, Consumer<Rewrite> edit) {
        SafetensorsWriter out = new SafetensorsWriter().metadata("format", "pt");
        Rewrite r = new Rewrite(out);
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            edit.accept(r);
            for (TensorInfo t : in.tensors().values()) {
                if (r.dropped.equals(t.name())) {
                    continue;
                }
                out.add(t.name(), in.readFloats(t), r.shapeOf(t), DType.F32);
            }
        }
        out.write(file);
    }

    static final class Rewrite {
        final SafetensorsWriter out;
        String dropped = "";
        String reshaped = "";
        long[] newShape;

        Rewrite(SafetensorsWriter out) {
            this.out = out;
        }

        Rewrite drop(String name) {
            dropped = name;
            return this;
        }

        Rewrite reshape(String name, long... shape) {
            reshaped = name;
            newShape = shape;
            return this;
        }

        long[] shapeOf(TensorInfo t) {
            return t.name().equals(reshaped) ? newShape : t.shape();
        }
    }

    /** Edits the JSON header of a safetensors file in place, keeping the data section. */
    static void editHeader(Path file, Consumer<ObjectNode> edit) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long len = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode header = (ObjectNode) JSON.readTree(Arrays.copyOfRange(all, 8, 8 + (int) len));
        edit.accept(header);
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(all, 8 + (int) len, all.length);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(data);
        Files.write(file, out.array());
    }

    static void editJson(Path file, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(root);
        Files.writeString(file, root.toString());
    }
}
