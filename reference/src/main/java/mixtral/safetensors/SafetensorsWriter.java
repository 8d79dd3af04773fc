package mixtral.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mixtral.OutputFile;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Collects tensors and writes them as one safetensors file. The file appears atomically: it is written beside the
 * target under a temporary name and moved into place, so a crash never leaves a half-written file behind.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Entry(String name, DType dtype, long[] shape, byte[] data) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a float array, stored as {@code dtype} (F32, F16 or BF16). */
    public SafetensorsWriter add(String name, INDArray array, DType dtype) {
        float[] values = array.castTo(DataType.FLOAT).dup('c').data().asFloat();
        return add(name, values, array.shape(), dtype);
    }

    public SafetensorsWriter add(String name, INDArray array) {
        return add(name, array, DType.F32);
    }

    public SafetensorsWriter add(String name, float[] values, long[] shape, DType dtype) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case F32 -> buf.putFloat(v);
                case BF16 -> buf.putShort(DType.floatToBf16(v));
                case F16 -> buf.putShort(DType.floatToF16(v));
                default -> throw new IllegalArgumentException("not a float dtype: " + dtype);
            }
        }
        return addRaw(name, dtype, shape, buf.array());
    }

    /** Adds an I64 tensor. */
    public SafetensorsWriter addLongs(String name, long[] values, long... shape) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            buf.putLong(v);
        }
        return addRaw(name, DType.I64, shape, buf.array());
    }

    public SafetensorsWriter addRaw(String name, DType dtype, long[] shape, byte[] data) {
        long numel = 1;
        for (long s : shape) {
            numel *= s;
        }
        if (numel * dtype.bytes != data.length) {
            throw new IllegalArgumentException(name + ": " + data.length + " bytes do not fit shape x " + dtype);
        }
        for (Entry e : entries) {
            if (e.name.equals(name)) {
                throw new IllegalArgumentException("tensor added twice: " + name);
            }
        }
        entries.add(new Entry(name, dtype, shape.clone(), data));
        return this;
    }

    /** Writes the file atomically (see {@link OutputFile}). */
    public void write(Path target) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode t = header.putObject(e.name);
            t.put("dtype", e.dtype.name());
            ArrayNode shape = t.putArray("shape");
            for (long s : e.shape) {
                shape.add(s);
            }
            t.putArray("data_offsets").add(offset).add(offset + e.data.length);
            offset += e.data.length;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;     // the data section starts 8-byte aligned
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            headerBytes[i] = ' ';
        }
        OutputFile.write(target, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            for (Entry e : entries) {
                out.write(e.data);
            }
        });
    }
}
