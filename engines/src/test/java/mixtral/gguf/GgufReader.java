package mixtral.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads back what {@link GgufWriter} writes, for tests: header, metadata, tensor records and data, strictly. */
record GgufReader(int version, Map<String, Object> metadata, Map<String, Info> tensors, long dataStart, byte[] file) {

    record Info(String name, long[] dims, int type, long offset) {
        GgmlType ggmlType() {
            for (GgmlType t : GgmlType.values()) {
                if (t.id == type) {
                    return t;
                }
            }
            throw new IllegalStateException(name + ": type " + type);
        }

        long values() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    static GgufReader read(Path path) throws IOException {
        byte[] all = Files.readAllBytes(path);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != GgufWriter.MAGIC) {
            throw new IllegalStateException("not GGUF");
        }
        int version = b.getInt();
        long nTensors = b.getLong();
        long nKv = b.getLong();
        Map<String, Object> meta = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            String key = string(b);
            meta.put(key, value(b, b.getInt()));
        }
        Map<String, Info> tensors = new LinkedHashMap<>();
        for (long i = 0; i < nTensors; i++) {
            String name = string(b);
            long[] dims = new long[b.getInt()];
            for (int d = 0; d < dims.length; d++) {
                dims[d] = b.getLong();
            }
            tensors.put(name, new Info(name, dims, b.getInt(), b.getLong()));
        }
        return new GgufReader(version, meta, tensors, GgufWriter.pad(b.position()), all);
    }

    /** A tensor's values, decoded from its type. */
    float[] values(String name) {
        Info t = tensors.get(name);
        int start = Math.toIntExact(dataStart + t.offset());
        int n = Math.toIntExact(t.ggmlType().bytes(t.values()));
        byte[] data = new byte[n];
        System.arraycopy(file, start, data, 0, n);
        return t.ggmlType().decode(data);
    }

    byte[] raw(String name) {
        Info t = tensors.get(name);
        int start = Math.toIntExact(dataStart + t.offset());
        byte[] data = new byte[Math.toIntExact(t.ggmlType().bytes(t.values()))];
        System.arraycopy(file, start, data, 0, data.length);
        return data;
    }

    private static Object value(ByteBuffer b, int type) {
        GgufWriter.ValueType t = GgufWriter.ValueType.values()[type];
        return switch (t) {
            case UINT32 -> b.getInt();
            case INT32 -> b.getInt();
            case FLOAT32 -> b.getFloat();
            case BOOL -> b.get() != 0;
            case STRING -> string(b);
            case ARRAY -> {
                int elem = b.getInt();
                long n = b.getLong();
                List<Object> out = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    out.add(value(b, elem));
                }
                yield out;
            }
            default -> throw new IllegalStateException("type " + t + " not written by GgufWriter");
        };
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[Math.toIntExact(b.getLong())];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
