package mixtral.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.FloatBuffer;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import mixtral.BadInputException;
import mixtral.config.ConfigReader;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.SafetensorsFile;
import mixtral.safetensors.TensorInfo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model folder on disk, served as float32 arrays in the Hugging Face convention whatever its layout and dtype.
 *
 * <p>Everything that can be checked without computing is checked in {@link #open}: the configuration, the shard index,
 * and that every tensor the configuration implies is present with exactly its shape and a float dtype, and nothing
 * else is. A model built from a {@code Checkpoint} therefore never meets a missing or misshapen weight halfway through a
 * forward pass. Only weight files are read; tokenizers, READMEs and {@code .pth} files in the folder are ignored.
 *
 * <p>No float copy is kept: each call reads its tensor from the memory-mapped file, so the caller should keep what it
 * needs. Files stay open until {@link #close}.
 */
public final class Checkpoint implements WeightSource, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How many names an error lists before it says "and N more". */
    private static final int LIST = 3;
    /** An index lists a tensor in about 100 bytes: 64 MB is five times what the most tensors a config allows need. */
    private static final long MAX_INDEX_BYTES = 64L << 20;

    private final Path dir;
    private final Layout layout;
    private final MixtralConfig config;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> fileOf;
    private final ReadAhead readAhead = new ReadAhead();
    private ReadAheadMode mode = ReadAheadMode.fromSystemProperty();
    private DirectReads direct;               // opened at the first read-ahead: only a streamed model asks for one
    private boolean directTried;
    private final AtomicLong readAheads = new AtomicLong();
    private volatile boolean closed;

    private Checkpoint(Path dir, Layout layout, MixtralConfig config, List<SafetensorsFile> files,
                       Map<String, SafetensorsFile> fileOf) {
        this.dir = dir;
        this.layout = layout;
        this.config = config;
        this.files = files;
        this.fileOf = fileOf;
    }

    /**
     * Opens and validates a model folder. Hugging Face weights ({@code model.safetensors} or
     * {@code model.safetensors.index.json}, with {@code config.json}) are preferred when the folder also holds
     * Mistral-native ones ({@code consolidated.safetensors} with {@code params.json}).
     *
     * @throws BadInputException one line naming the file and tensor at fault
     */
    public static Checkpoint open(Path dir) {
        Layout layout = detectLayout(dir);
        Path configFile = dir.resolve(layout.configFile);
        if (!Files.isRegularFile(configFile)) {
            throw new BadInputException(dir + ": has " + layout.singleFile + " weights but no " + layout.configFile);
        }
        MixtralConfig config = ConfigReader.read(configFile);
        Map<String, SafetensorsFile> opened = new LinkedHashMap<>();   // file name -> open file
        try {
            Map<String, SafetensorsFile> fileOf;
            String where;
            if (Files.isRegularFile(dir.resolve(layout.singleFile))) {
                SafetensorsFile f = SafetensorsFile.open(dir.resolve(layout.singleFile));
                opened.put(layout.singleFile, f);
                fileOf = new LinkedHashMap<>();
                for (String name : f.tensors().keySet()) {
                    fileOf.put(name, f);
                }
                where = f.path().toString();
            } else {
                fileOf = readShards(dir, layout, opened);
                where = dir.resolve(layout.indexFile).toString();
            }
            validate(where, layout, config, fileOf);
            return new Checkpoint(dir, layout, config, List.copyOf(opened.values()), fileOf);
        } catch (RuntimeException e) {
            opened.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Layout detectLayout(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": not a model folder");
        }
        for (Layout l : Layout.values()) {
            if (Files.isRegularFile(dir.resolve(l.singleFile)) || Files.isRegularFile(dir.resolve(l.indexFile))) {
                return l;
            }
        }
        String pth = Files.isRegularFile(dir.resolve("consolidated.00.pth"))
                ? " (consolidated.00.pth is a PyTorch pickle, which this project does not read: convert it to safetensors)"
                : "";
        throw new BadInputException(dir + ": no weights found: expected " + Layout.HUGGING_FACE.singleFile + ", "
                + Layout.HUGGING_FACE.indexFile + " or " + Layout.MISTRAL.singleFile + pth);
    }

    /** Reads the shard index, opens each shard once, and checks that index and shards agree tensor by tensor. */
    private static Map<String, SafetensorsFile> readShards(Path dir, Layout layout, Map<String, SafetensorsFile> opened) {
        Path index = dir.resolve(layout.indexFile);
        JsonNode map;
        try {
            long size = Files.size(index);
            if (size > MAX_INDEX_BYTES) {
                throw new BadInputException(index + ": " + size + " bytes, more than an index of "
                        + MixtralConfig.MAX_WEIGHT_TENSORS + " tensors can need (" + MAX_INDEX_BYTES + ")");
            }
            map = JSON.readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new BadInputException(index + ": not readable JSON");
        }
        if (!map.isObject() || map.isEmpty()) {
            throw new BadInputException(index + ": needs a non-empty 'weight_map' object (tensor name -> shard file)");
        }
        Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String tensor = e.getKey();
            String shard = e.getValue().asText("");
            if (!e.getValue().isTextual() || !isFileName(dir, shard)) {
                throw new BadInputException(index + ": tensor '" + tensor + "' maps to " + e.getValue()
                        + ", which is not a file name in the model folder");
            }
            SafetensorsFile f = opened.get(shard);
            if (f == null) {
                if (!Files.isRegularFile(dir.resolve(shard))) {
                    throw new BadInputException(index + ": tensor '" + tensor + "' is in shard '" + shard
                            + "', which does not exist");
                }
                f = SafetensorsFile.open(dir.resolve(shard));
                opened.put(shard, f);
            }
            if (!f.has(tensor)) {
                throw new BadInputException(index + ": tensor '" + tensor + "' is mapped to '" + shard
                        + "', but that file does not hold it");
            }
            fileOf.put(tensor, f);
        }
        for (SafetensorsFile f : opened.values()) {
            for (String tensor : f.tensors().keySet()) {
                if (fileOf.get(tensor) != f) {
                    throw new BadInputException(f.path() + ": tensor '" + tensor + "' is not mapped to this file by "
                            + layout.indexFile);
                }
            }
        }
        return fileOf;
    }

    /** A plain file name in the folder: no separator, no parent, nothing the OS cannot name (a NUL byte). */
    private static boolean isFileName(Path dir, String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals("..") || name.equals(".")
                || name.indexOf('\0') >= 0) {
            return false;
        }
        try {
            return dir.resolve(name).getParent().equals(dir);
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** Present, exactly the expected shape, a float dtype, and nothing else; {@code where} names the file or index. */
    private static void validate(String where, Layout layout, MixtralConfig config, Map<String, SafetensorsFile> fileOf) {
        Map<String, Layout.Expected> expected = layout.expectedTensors(config);
        List<String> missing = new ArrayList<>();
        for (Layout.Expected x : expected.values()) {
            if (!fileOf.containsKey(x.name())) {
                missing.add(x.name());
            }
        }
        if (missing.size() == 1) {
            Layout.Expected x = expected.get(missing.get(0));
            throw new BadInputException(where + ": missing tensor '" + x.name() + "', expected "
                    + Arrays.toString(x.shape()) + " from config (" + x.because() + ")");
        }
        if (!missing.isEmpty()) {
            throw new BadInputException(where + ": missing " + missing.size() + " tensors the config requires: "
                    + firstFew(missing));
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : fileOf.keySet()) {
            if (!expected.containsKey(name)) {
                unexpected.add(name);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new BadInputException(where + ": " + unexpected.size() + " unexpected tensor"
                    + (unexpected.size() == 1 ? "" : "s") + " for a " + layout + " checkpoint of this config: "
                    + firstFew(unexpected));
        }
        for (Layout.Expected x : expected.values()) {
            SafetensorsFile f = fileOf.get(x.name());
            TensorInfo info = f.info(x.name());
            if (!Arrays.equals(info.shape(), x.shape())) {
                throw new BadInputException(f.path() + ": tensor '" + x.name() + "' has shape " + info.shapeString()
                        + ", expected " + Arrays.toString(x.shape()) + " from config (" + x.because() + ")");
            }
            if (!info.dtype().isFloat()) {
                throw new BadInputException(f.path() + ": tensor '" + x.name() + "' has dtype " + info.dtype()
                        + ", expected F32, F16 or BF16");
            }
        }
    }

    private static String firstFew(List<String> names) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(LIST, names.size()); i++) {
            s.append(i == 0 ? "'" : ", '").append(names.get(i)).append("'");
        }
        if (names.size() > LIST) {
            s.append(" and ").append(names.size() - LIST).append(" more");
        }
        return s.toString();
    }

    public Path dir() {
        return dir;
    }

    public Layout layout() {
        return layout;
    }

    /** Where a tensor lies and how it is stored, by its checkpoint name. */
    public TensorInfo tensorInfo(String name) {
        SafetensorsFile f = fileOf.get(name);
        if (f == null) {
            throw new BadInputException(dir + ": no tensor '" + name + "'");
        }
        return f.info(name);
    }

    /** The weight file that holds a tensor. */
    public Path fileOf(String name) {
        tensorInfo(name);
        return fileOf.get(name).path();
    }

    /** The weight files, in the order they were opened. */
    public List<Path> files() {
        return files.stream().map(SafetensorsFile::path).toList();
    }

    @Override
    public MixtralConfig config() {
        return config;
    }

    /** One tensor as float32 in its stored shape; a fresh array on every call. */
    public INDArray load(String name) {
        checkOpen();
        TensorInfo info = tensorInfo(name);
        INDArray a = ReusedMemory.floats(info.shape());
        readInto(name, info, a.data().asNioFloat());             // straight off-heap: no float[] on the heap
        return a;
    }

    private float[] readFloats(String name) {
        checkOpen();
        TensorInfo info = tensorInfo(name);
        if (info.numel() > Integer.MAX_VALUE - 8) {
            throw new BadInputException(fileOf.get(name).path() + ": tensor '" + name + "' has " + info.numel()
                    + " elements, too many to reorder its rows in one array");
        }
        float[] values = new float[(int) info.numel()];
        readInto(name, info, FloatBuffer.wrap(values));
        return values;
    }

    /** Converts a tensor into values: from the bytes read ahead past the page cache if it was, else the mapped file. */
    private void readInto(String name, TensorInfo info, FloatBuffer values) {
        SafetensorsFile file = fileOf.get(name);
        DirectReads d = directReads(false);
        DirectReads.Result r = d == null ? DirectReads.Result.NOT_QUEUED : d.convert(file, info, values.duplicate());
        boolean finite = r == DirectReads.Result.NOT_QUEUED ? file.readFloats(info, values.duplicate())
                : r == DirectReads.Result.FINITE;
        if (!finite) {
            throw FiniteWeights.refuse(values, file.path(), name, FiniteWeights.positionIn(info.shape()));
        }
    }

    /**
     * The direct reads, opened at the first read-ahead ({@code open}) when the mode is or resolves to DIRECT; null
     * before that, in PAGE_CACHE mode, or where the file system refuses O_DIRECT.
     */
    private synchronized DirectReads directReads(boolean open) {
        if (open && !directTried && !closed) {
            directTried = true;
            long bytes = files.stream().mapToLong(f -> f.path().toFile().length()).sum();
            direct = mode.resolve(bytes) == ReadAheadMode.DIRECT ? DirectReads.open(files) : null;
        }
        return direct;
    }

    /** The direct reads in use, if any: for tests in this package. */
    DirectReads direct() {
        return directReads(false);
    }

    /** How read-ahead brings bytes in; takes effect if set before the first read-ahead. Returns this checkpoint. */
    public synchronized Checkpoint readAheadMode(ReadAheadMode m) {
        if (directTried) {
            throw new IllegalStateException("the read-ahead mode is fixed once reading ahead has started");
        }
        mode = m;
        return this;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(dir + ": checkpoint is closed");
        }
    }

    /** Query and key rows in the Hugging Face (rotate-half) order, converted if stored interleaved. */
    private INDArray loadRope(String name, int heads) {
        if (!layout.interleavedRope) {
            return load(name);
        }
        float[] hf = RopeRows.interleavedToRotateHalf(readFloats(name), heads, config.headDim(), config.hiddenSize());
        return Nd4j.create(hf, tensorInfo(name).shape(), 'c');
    }

    @Override public INDArray embedding() { return load(layout.embedding()); }

    /** Reads just the rows asked for from the mapped file, in whatever dtype it stores them. */
    @Override
    public INDArray embeddingRows(int[] ids) {
        checkOpen();
        TensorInfo info = tensorInfo(layout.embedding());
        long d = info.shape()[1];
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, new long[] {ids.length, d}, 'c');
        FloatBuffer buf = out.data().asNioFloat();
        boolean finite = true;
        for (int id : ids) {
            finite &= fileOf.get(layout.embedding()).readFloats(info, id * d, d, buf);
        }
        if (!finite) {
            throw FiniteWeights.refuse(out.data().asNioFloat(), fileOf.get(layout.embedding()).path(),
                    layout.embedding(), i -> "row " + ids[(int) (i / d)] + ", column " + i % d);
        }
        return out;
    }
    @Override public INDArray finalNorm() { return load(layout.finalNorm()); }
    @Override public INDArray lmHead() { return config.tieWordEmbeddings() ? embedding() : load(layout.lmHead()); }
    @Override public INDArray attnNorm(int l) { return load(layout.attnNorm(l)); }
    @Override public INDArray wq(int l) { return loadRope(layout.wq(l), config.numAttentionHeads()); }
    @Override public INDArray wk(int l) { return loadRope(layout.wk(l), config.numKeyValueHeads()); }
    @Override public INDArray wv(int l) { return load(layout.wv(l)); }
    @Override public INDArray wo(int l) { return load(layout.wo(l)); }
    @Override public INDArray moeNorm(int l) { return load(layout.moeNorm(l)); }
    @Override public INDArray gate(int l) { return load(layout.gate(l)); }
    @Override public INDArray w1(int l, int e) { return load(layout.w1(l, e)); }
    @Override public INDArray w2(int l, int e) { return load(layout.w2(l, e)); }
    @Override public INDArray w3(int l, int e) { return load(layout.w3(l, e)); }

    @Override
    public void readAhead(int layer) {
        if (closed || layer < 0 || layer > config.numHiddenLayers()) {
            return;
        }
        List<String> names = layer < config.numHiddenLayers()
                ? layout.layerTensors(layer, config.numLocalExperts())
                : List.of(layout.finalNorm(), config.tieWordEmbeddings() ? layout.embedding() : layout.lmHead());
        readAheads.incrementAndGet();
        List<ReadAhead.Range> ranges = names.stream().map(this::range).toList();
        DirectReads d = directReads(true);
        if (d != null) {
            d.queue(layer, ranges);
        } else {
            readAhead.queue(layer, ranges);
        }
    }

    @Override
    public void notNeeded(int layer, int expert) {
        DirectReads d = directReads(false);
        if (d != null && !closed && layer >= 0 && layer < config.numHiddenLayers()
                && expert >= 0 && expert < config.numLocalExperts()) {
            d.drop(List.of(range(layout.w1(layer, expert)), range(layout.w3(layer, expert)),
                    range(layout.w2(layer, expert))));
        }
    }

    /** Where tensor {@code name}'s bytes lie: its file and its place in it. */
    private ReadAhead.Range range(String name) {
        return new ReadAhead.Range(fileOf.get(name), fileOf.get(name).info(name));
    }

    /** What {@link #readAhead} has read so far: the per-layer timeline of the disk. */
    public List<ReadAhead.Span> readAheadLog() {
        DirectReads d = directReads(false);
        return d != null ? d.log() : readAhead.log();
    }

    /** How many read-aheads were asked for (layers, and the head): a model already held in memory asks for none. */
    public long readAheads() {
        return readAheads.get();
    }

    /** Whether read-ahead goes past the page cache (O_DIRECT) into reused buffers, as it does where the file system allows. */
    public boolean readsDirect() {
        return direct() != null;
    }

    @Override
    public void close() {
        closed = true;
        readAhead.close();
        DirectReads d;
        synchronized (this) {
            directTried = true;
            d = direct;
        }
        if (d != null) {
            d.close();
        }
        files.forEach(SafetensorsFile::close);
    }
}
