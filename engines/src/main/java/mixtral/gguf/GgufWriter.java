package mixtral.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes a GGUF file (version 3): the magic {@code GGUF}, the version, the tensor and key counts, the metadata
 * key-value pairs, one record per tensor (name, dimensions fastest first, type, offset into the data section), padding
 * to the alignment, then each tensor's data padded to the alignment. Everything little-endian. Tensor data is produced
 * part by part when the file is written, so no tensor needs to be held whole.
 */
public final class GgufWriter {
    public static final int MAGIC = 0x46554747;   // "GGUF" read as a little-endian u32
    public static final int VERSION = 3;
    public static final int ALIGNMENT = 32;

    /** GGUF value types ({@code enum gguf_type}). */
    enum ValueType {
        UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64
    }

    /** One tensor: its ggml dimensions (fastest first), type, and parts whose values, concatenated, are its data. */
    record Tensor(String name, long[] dims, GgmlType type, List<Supplier<float[]>> parts) {
        long values() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter putString(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putU32(String key, int value) {
        metadata.put(key, new U32(value));
        return this;
    }

    public GgufWriter putF32(String key, float value) {
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putBool(String key, boolean value) {
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putStrings(String key, List<String> values) {
        metadata.put(key, new StringArray(values));
        return this;
    }

    public GgufWriter putF32s(String key, float[] values) {
        metadata.put(key, values.clone());
        return this;
    }

    public GgufWriter putI32s(String key, int[] values) {
        metadata.put(key, values.clone());
        return this;
    }

    /**
     * Adds a tensor. {@code dims} are ggml's, fastest first: a row-major [rows, cols] matrix is {@code {cols, rows}}.
     * Quantised types need rows ({@code dims[0]}) of whole blocks.
     */
    public GgufWriter tensor(String name, long[] dims, GgmlType type, List<Supplier<float[]>> parts) {
        if (!type.fitsRows(dims[0])) {
            throw new IllegalArgumentException(name + ": rows of " + dims[0] + " values are not whole " + type + " blocks");
        }
        tensors.add(new Tensor(name, dims.clone(), type, List.copyOf(parts)));
        return this;
    }

    /** Writes the file atomically (to a temporary file beside it, then renamed). */
    public void write(Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            Le le = new Le(out);
            le.u32(MAGIC).u32(VERSION).u64(tensors.size()).u64(metadata.size());
            for (Map.Entry<String, Object> kv : metadata.entrySet()) {
                le.string(kv.getKey());
                value(le, kv.getValue());
            }
            long offset = 0;
            for (Tensor t : tensors) {
                le.string(t.name()).u32(t.dims().length);
                for (long d : t.dims()) {
                    le.u64(d);
                }
                le.u32(t.type().id).u64(offset);
                offset = pad(offset + t.type().bytes(t.values()));
            }
            le.zeros(pad(le.written) - le.written);
            for (Tensor t : tensors) {
                long start = le.written;
                for (Supplier<float[]> part : t.parts()) {
                    le.bytes(t.type().encode(part.get()));
                }
                long size = le.written - start;
                if (size != t.type().bytes(t.values())) {
                    throw new IllegalStateException(t.name() + ": parts gave " + size + " bytes, dims say "
                            + t.type().bytes(t.values()));
                }
                le.zeros(pad(le.written) - le.written);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write", e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write", e);
        }
    }

    static long pad(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void value(Le le, Object v) throws IOException {
        if (v instanceof String s) {
            le.u32(ValueType.STRING.ordinal()).string(s);
        } else if (v instanceof U32 u) {
            le.u32(ValueType.UINT32.ordinal()).u32(u.value());
        } else if (v instanceof Float f) {
            le.u32(ValueType.FLOAT32.ordinal()).f32(f);
        } else if (v instanceof Boolean b) {
            le.u32(ValueType.BOOL.ordinal()).bytes(new byte[] {(byte) (b ? 1 : 0)});
        } else if (v instanceof StringArray a) {
            le.u32(ValueType.ARRAY.ordinal()).u32(ValueType.STRING.ordinal()).u64(a.values().size());
            for (String s : a.values()) {
                le.string(s);
            }
        } else if (v instanceof float[] a) {
            le.u32(ValueType.ARRAY.ordinal()).u32(ValueType.FLOAT32.ordinal()).u64(a.length);
            for (float f : a) {
                le.f32(f);
            }
        } else if (v instanceof int[] a) {
            le.u32(ValueType.ARRAY.ordinal()).u32(ValueType.INT32.ordinal()).u64(a.length);
            for (int i : a) {
                le.u32(i);
            }
        } else {
            throw new IllegalStateException("no GGUF type for " + v.getClass());
        }
    }

    private record U32(int value) {}

    private record StringArray(List<String> values) {}

    /** A little-endian writer that counts what it wrote. */
    private static final class Le {
        private final OutputStream out;
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long written;

        Le(OutputStream out) {
            this.out = out;
        }

        Le u32(int v) throws IOException {
            scratch.clear();
            return bytes(scratch.putInt(v).array(), 4);
        }

        Le u64(long v) throws IOException {
            scratch.clear();
            return bytes(scratch.putLong(v).array(), 8);
        }

        Le f32(float v) throws IOException {
            return u32(Float.floatToRawIntBits(v));
        }

        Le string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u64(b.length).bytes(b);
        }

        Le bytes(byte[] b) throws IOException {
            return bytes(b, b.length);
        }

        Le bytes(byte[] b, int n) throws IOException {
            out.write(b, 0, n);
            written += n;
            return this;
        }

        void zeros(long n) throws IOException {
            bytes(new byte[(int) n]);
        }
    }
}
