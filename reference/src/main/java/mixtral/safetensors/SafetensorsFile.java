package mixtral.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import mixtral.BadInputException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A safetensors file, validated when opened and read through memory maps: the data section is never loaded into the
 * heap as a whole, each tensor is mapped only while it is copied out.
 *
 * <p>Layout: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"__metadata__": {...}, "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}}}, offsets
 * relative to the data section), then the data section.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;
    /** One mapping covers at most this many bytes (a MappedByteBuffer is indexed by int). */
    private static final long CHUNK = 1L << 30;
    /** Bytes converted at a time through the heap: large enough for bulk copies, small enough for the cache. */
    private static final int BLOCK = 1 << 17;
    /**
     * A large tensor is converted in this many parts at once, one per core: conversion runs at memory speed only when
     * every core takes part (a BF16 expert weight of Mixtral 8x7B, 117 MB, took 0.25 s on one core of two).
     */
    private static final int PARTS = Runtime.getRuntime().availableProcessors();
    /** Below this many elements per part (4 MB of float32) splitting costs more than it gains. */
    private static final long PART_ELEMENTS = 1L << 20;

    private final Path path;
    private final FileChannel channel;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, Map<String, TensorInfo> tensors,
                            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates a file; every failure is a one-line {@link BadInputException} naming file and tensor. */
    public static SafetensorsFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BadInputException(path + ": no such file");
        } catch (IOException e) {
            throw new BadInputException(path + ": cannot open (" + e.getMessage() + ")");
        }
        try {
            return parse(path, ch);
        } catch (RuntimeException | IOException e) {
            closeQuietly(ch);
            if (e instanceof BadInputException b) {
                throw b;
            }
            throw new BadInputException(path + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new BadInputException(path + ": not a safetensors file (" + size + " bytes, shorter than the header length)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
            throw new BadInputException(path + ": header length " + headerLen + " is impossible for a file of "
                    + size + " bytes (truncated or not a safetensors file)");
        }
        ByteBuffer header = ByteBuffer.allocate((int) headerLen);
        readFully(ch, header, 8);
        JsonNode root;
        try {
            root = JSON.readTree(header.array());
        } catch (IOException e) {
            throw new BadInputException(path + ": header is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException(path + ": header is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                metadata.putAll(metadata(path, e.getValue()));
                continue;
            }
            TensorInfo info = tensorInfo(path, e.getKey(), e.getValue(), dataStart, dataSize);
            tensors.put(info.name(), info);
        }
        checkContiguous(path, tensors.values(), dataStart, dataSize);
        return new SafetensorsFile(path, ch, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo tensorInfo(Path path, String name, JsonNode n, long dataStart, long dataSize) {
        String where = path + ": tensor '" + name + "'";
        if (!n.isObject() || !n.path("dtype").isTextual() || !n.path("shape").isArray()
                || !n.path("data_offsets").isArray() || n.path("data_offsets").size() != 2) {
            throw new BadInputException(where + ": entry needs dtype, shape and two data_offsets");
        }
        DType dtype = DType.parse(n.get("dtype").asText(), where);
        long[] shape = new long[n.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode s = n.get("shape").get(i);
            if (!s.canConvertToLong() || !s.isIntegralNumber() || s.asLong() < 0) {
                throw new BadInputException(where + ": shape " + n.get("shape") + " has a bad dimension");
            }
            shape[i] = s.asLong();
        }
        long begin = offset(where, n.get("data_offsets").get(0));
        long end = offset(where, n.get("data_offsets").get(1));
        if (begin < 0 || end < begin || end > dataSize) {
            throw new BadInputException(where + ": data_offsets [" + begin + ", " + end + "] lie outside the data section of "
                    + dataSize + " bytes (truncated file?)");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, dataStart + begin, dataStart + end);
        long expected;
        try {
            expected = Math.multiplyExact(info.numel(), dtype.bytes);
        } catch (ArithmeticException overflow) {
            throw new BadInputException(where + ": shape " + info.shapeString() + " is too large");
        }
        if (expected != end - begin) {
            throw new BadInputException(where + ": shape " + info.shapeString() + " x " + dtype + " needs " + expected
                    + " bytes but data_offsets give " + (end - begin));
        }
        return info;
    }

    /** An offset is a JSON integer (not "16", 16.0 or 1e1), as the format and its reference parser require. */
    private static long offset(String where, JsonNode o) {
        if (!o.isIntegralNumber() || !o.canConvertToLong()) {
            throw new BadInputException(where + ": data_offsets must be two integers, got " + o);
        }
        return o.asLong();
    }

    /** {@code __metadata__} maps strings to strings; anything else would be read as something it is not. */
    private static Map<String, String> metadata(Path path, JsonNode m) {
        if (!m.isObject()) {
            throw new BadInputException(path + ": __metadata__ must be an object of strings, got " + kind(m));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new BadInputException(path + ": __metadata__ '" + e.getKey() + "' must be a string, got "
                        + kind(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static String kind(JsonNode n) {
        return n.isObject() ? "an object" : n.isArray() ? "a list" : n.isNull() ? "null" : n.toString();
    }

    /**
     * The tensors tile the data section exactly, as the format requires ("entirely indexed, no holes"): no overlap,
     * no gap and no bytes after the last tensor, where another file could hide (a polyglot) or a truncated
     * concatenation would go unnoticed.
     */
    private static void checkContiguous(Path path, Iterable<TensorInfo> all, long dataStart, long dataSize) {
        List<TensorInfo> sorted = new ArrayList<>();
        all.forEach(sorted::add);
        sorted.removeIf(t -> t.byteLength() == 0);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        long at = dataStart;
        String previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < at) {
                throw new BadInputException(path + ": tensor '" + t.name() + "' overlaps tensor '" + previous + "'");
            }
            if (t.begin() > at) {
                throw new BadInputException(path + ": " + (t.begin() - at) + " bytes of the data section before tensor '"
                        + t.name() + "' belong to no tensor (the format allows no gaps)");
            }
            at = t.end();
            previous = t.name();
        }
        if (at != dataStart + dataSize) {
            throw new BadInputException(path + ": " + (dataStart + dataSize - at) + " bytes after the last tensor's "
                    + "data belong to no tensor (the data section must end where its last tensor does)");
        }
    }

    public Path path() {
        return path;
    }

    /** Tensors in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new BadInputException(path + ": no tensor '" + name + "'");
        }
        return info;
    }

    /** A float tensor (F32, F16 or BF16) converted to a float32 array of its own shape. */
    public INDArray loadFloat(String name) {
        TensorInfo info = info(name);
        return Nd4j.create(readFloats(info), info.shape(), 'c');
    }

    /** The elements of a float tensor as float32, in row-major order. */
    public float[] readFloats(TensorInfo info) {
        float[] out = new float[toIntCount(info)];
        readFloats(info, FloatBuffer.wrap(out));
        return out;
    }

    /**
     * Converts a float tensor (F32, F16 or BF16) to float32 straight into {@code out}, which must have room for all
     * of it; with a buffer over off-heap memory (an INDArray's) no heap copy is made.
     *
     * @return whether every value was finite (no NaN, no infinity), found while converting, at almost no cost
     */
    public boolean readFloats(TensorInfo info, FloatBuffer out) {
        return readFloats(info, 0, info.numel(), out);
    }

    /**
     * Elements [from, from + count) of a float tensor (in row-major order) as float32, into {@code out}.
     *
     * @return whether every one of them was finite
     */
    public boolean readFloats(TensorInfo info, long from, long count, FloatBuffer out) {
        return readFloats(info, from, count, out, this::map);
    }

    /**
     * The same from bytes already read: {@code bytes} holds the file's bytes from offset {@code bytesAt} on, and must
     * cover those elements (a {@link mixtral.weights.Checkpoint} streaming weights reads them past the page cache).
     */
    public boolean readFloats(TensorInfo info, long from, long count, FloatBuffer out, ByteBuffer bytes, long bytesAt) {
        long first = info.begin() + from * info.dtype().bytes;
        if (first < bytesAt || first + count * info.dtype().bytes > bytesAt + bytes.capacity()) {
            throw new IllegalArgumentException(info.name() + ": elements " + from + ".." + (from + count)
                    + " are not all in the bytes read from offset " + bytesAt);
        }
        return readFloats(info, from, count, out, (pos, len) -> bytes.duplicate()
                .position((int) (pos - bytesAt)).limit((int) (pos - bytesAt + len)).slice());
    }

    /** Where the bytes [pos, pos + len) of this file are read from: a mapping, or a buffer read before. */
    private interface Bytes {
        ByteBuffer at(long pos, long len);
    }

    private boolean readFloats(TensorInfo info, long from, long count, FloatBuffer out, Bytes source) {
        if (!info.dtype().isFloat()) {
            throw new BadInputException(path + ": tensor '" + info.name() + "' is " + info.dtype() + ", expected a float type");
        }
        if (from < 0 || count < 0 || from + count > info.numel()) {
            throw new IllegalArgumentException(info.name() + ": elements " + from + ".." + (from + count) + " of " + info.numel());
        }
        if (out.remaining() < count) {
            throw new IllegalArgumentException(info.name() + ": " + out.remaining() + " floats of room for " + count);
        }
        long size = info.dtype().bytes;
        long begin = info.begin() + from * size;
        int parts = (int) Math.min(PARTS, Math.max(1, count / PART_ELEMENTS));
        long per = (count / parts + 7) / 8 * 8;       // whole 8-byte lanes for every part but the last
        int at = out.position();
        boolean finite = IntStream.range(0, parts).parallel().mapToObj(p -> {
            long first = Math.min(count, p * per);
            long n = p == parts - 1 ? count - first : Math.min(per, count - first);
            FloatBuffer into = out.duplicate().position(at + (int) first);
            boolean ok = true;
            for (long pos = begin + first * size, end = pos + n * size; pos < end; pos += CHUNK) {
                ok &= convert(source.at(pos, Math.min(CHUNK, end - pos)), info.dtype(), into);
            }
            return ok;
        }).reduce(true, Boolean::logicalAnd);
        out.position(at + (int) count);
        return finite;
    }

    /**
     * Converts stored floats to float32 in blocks: bulk reads into heap arrays and tight loops (an element at a time
     * through the buffers was ten times slower, and conversion is most of what streaming costs). On the way each
     * block is read once more as longs, still in the cache, to check finiteness several values at a time: a value is
     * NaN or infinite exactly when its exponent bits are all ones, so adding the exponent's lowest bit to the masked
     * exponent sets the value's sign bit then and only then (no carry leaves a lane). Measured on a [14336, 4096]
     * weight: a BF16 conversion takes 10% longer with the check; an F32 one, only a memory copy, 1.7 times as long.
     */
    private static boolean convert(ByteBuffer bytes, DType dtype, FloatBuffer out) {
        long exponent = dtype == DType.F32 ? 0x7f8000007f800000L
                : dtype == DType.BF16 ? 0x7f807f807f807f80L : 0x7c007c007c007c00L;
        long lowest = dtype == DType.F32 ? 0x0080000000800000L
                : dtype == DType.BF16 ? 0x0080008000800080L : 0x0400040004000400L;
        long signs = dtype == DType.F32 ? 0x8000000080000000L : 0x8000800080008000L;
        LongBuffer lanes = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        long[] block = new long[(int) Math.min(lanes.remaining(), BLOCK / 8)];
        short[] halves = dtype == DType.F32 ? null : new short[block.length * 4];
        float[] floats = dtype == DType.F32 ? null : new float[block.length * 4];
        long any = 0;
        while (lanes.hasRemaining()) {
            int n = Math.min(lanes.remaining(), block.length);
            int at = lanes.position() * 8;
            lanes.get(block, 0, n);
            for (int i = 0; i < n; i++) {
                any |= (block[i] & exponent) + lowest;
            }
            ByteBuffer part = bytes.duplicate().position(at).limit(at + n * 8).order(ByteOrder.LITTLE_ENDIAN);
            if (dtype == DType.F32) {
                out.put(part.asFloatBuffer());
            } else {
                widen(part.asShortBuffer(), dtype, out, halves, floats);
            }
        }
        ByteBuffer tail = bytes.duplicate().position(lanes.position() * 8).order(ByteOrder.LITTLE_ENDIAN);
        while (tail.hasRemaining()) {               // the last value or three, fewer than 8 bytes
            float v = dtype == DType.F32 ? tail.getFloat()
                    : dtype == DType.BF16 ? Float.intBitsToFloat(tail.getShort() << 16) : DType.f16ToFloat(tail.getShort());
            any |= Float.isFinite(v) ? 0 : signs;
            out.put(v);
        }
        return (any & signs) == 0;
    }

    /** All of {@code in} (at most halves.length values) to float32, through the two scratch arrays. */
    private static void widen(ShortBuffer in, DType dtype, FloatBuffer out, short[] halves, float[] floats) {
        int n = in.remaining();
        in.get(halves, 0, n);
        if (dtype == DType.BF16) {
            for (int i = 0; i < n; i++) {
                floats[i] = Float.intBitsToFloat(halves[i] << 16);
            }
        } else {
            for (int i = 0; i < n; i++) {
                floats[i] = DType.f16ToFloat(halves[i]);
            }
        }
        out.put(floats, 0, n);
    }

    /** An integer tensor (I64 or I32) as longs, in row-major order. */
    public long[] readLongs(String name) {
        TensorInfo info = info(name);
        if (info.dtype() != DType.I64 && info.dtype() != DType.I32) {
            throw new BadInputException(path + ": tensor '" + name + "' is " + info.dtype() + ", expected I64 or I32");
        }
        long[] out = new long[toIntCount(info)];
        ByteBuffer buf = map(info.begin(), info.byteLength());
        for (int i = 0; i < out.length; i++) {
            out[i] = info.dtype() == DType.I64 ? buf.getLong() : buf.getInt();
        }
        return out;
    }

    private int toIntCount(TensorInfo info) {
        if (info.numel() > Integer.MAX_VALUE - 8) {
            throw new BadInputException(path + ": tensor '" + info.name() + "' has too many elements for one array");
        }
        return (int) info.numel();
    }

    /** Sends bytes [pos, pos + len) of the file to {@code sink} inside the kernel (sendfile(2) where it can). */
    public void transferTo(long pos, long len, WritableByteChannel sink) throws IOException {
        for (long done = 0; done < len; ) {
            long n = channel.transferTo(pos + done, len - done, sink);
            if (n <= 0) {
                return;           // the file ends sooner: whoever reads these bytes will say so
            }
            done += n;
        }
    }

    /** A read-only little-endian view of bytes [pos, pos + len) of the file. */
    public MappedByteBuffer map(long pos, long len) {
        try {
            MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_ONLY, pos, len);
            m.order(ByteOrder.LITTLE_ENDIAN);
            return m;
        } catch (IOException e) {
            throw new BadInputException(path + ": cannot map bytes " + pos + ".." + (pos + len) + " (" + e.getMessage() + ")");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was read from it that could be lost
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
