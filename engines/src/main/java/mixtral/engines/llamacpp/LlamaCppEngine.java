package mixtral.engines.llamacpp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.gguf.GgmlType;
import mixtral.gguf.MixtralGguf;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceTensor;
import mixtral.weights.Checkpoint;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One forward pass of llama.cpp on a checkpoint, as a trace of our format: the checkpoint is written as GGUF by our
 * own writer, llama.cpp runs it from token ids in one micro-batch with flash attention off and an F32 KV cache (the
 * settings under which it computes in float32 throughout), and its eval callback hands over each tensor the trace
 * format names. The routing recorded is llama.cpp's own: the experts it chose and the renormalised weights it
 * applied. Shape legend: T tokens, D hidden, H heads, E experts, K experts per token, V vocab.
 */
public final class LlamaCppEngine {
    /** Metadata key naming the engine, its version and the weights' type, e.g. {@code llama.cpp v0.5.0 (...) Q8_0}. */
    public static final String ENGINE = mixtral.engines.EngineMetadata.ENGINE;
    /** Metadata key of the settings llama.cpp ran with. */
    public static final String SETTINGS = mixtral.engines.EngineMetadata.SETTINGS;

    private LlamaCppEngine() {}

    /** Writes {@code modelDir} as GGUF of {@code quant} (a temporary file) and traces {@code tokens} through it. */
    public static Trace trace(Path modelDir, long[] tokens, GgmlType quant, boolean attention) {
        LlamaCppLibraries.require();
        Path gguf = null;
        try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
            check(checkpoint.config(), tokens);
            gguf = Files.createTempFile("mixtral-", "-" + quant + ".gguf");
            MixtralGguf.write(checkpoint, modelDir, quant, gguf);
            return trace(gguf, checkpoint.config(), tokens, quant.name(), attention);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (gguf != null) {
                gguf.toFile().delete();
            }
        }
    }

    /** Traces {@code tokens} through a GGUF file of a model configured as {@code c}; {@code label} names its type. */
    public static Trace trace(Path gguf, MixtralConfig c, long[] tokens, String label, boolean attention) {
        check(c, tokens);
        Path libDir = LlamaCppLibraries.require();
        Path exe = TraceProgram.compiled(libDir);
        List<String> wanted = new ArrayList<>();
        for (GraphName g : GraphName.values()) {
            if (g == GraphName.ATTN_PROBS && !attention) {
                continue;
            }
            if (g.tensor.scope() == TraceTensor.Scope.LAYER) {
                for (int l = 0; l < c.numHiddenLayers(); l++) {
                    wanted.add(g.at(l));
                }
            } else {
                wanted.add(g.at(-1));
            }
        }
        int threads = Runtime.getRuntime().availableProcessors();
        TensorDump dump = run(exe, libDir, gguf, threads, tokens, wanted);
        return Trace.of(c, tensors(dump, c, tokens))
                .withMetadata(ENGINE, LlamaCppLibraries.DESCRIPTION + " " + label)
                .withMetadata(SETTINGS, "flash attention off, F32 KV cache, one micro-batch of " + tokens.length
                        + " tokens with every output requested, " + threads + " threads");
    }

    /** llama.cpp's token ids of {@code text} (BOS first), with the vocabulary of a GGUF file as llama.cpp reads it. */
    public static long[] tokenize(Path gguf, String text) {
        Path libDir = LlamaCppLibraries.require();
        Path exe = TraceProgram.compiled(libDir);
        try {
            Process p = new ProcessBuilder(exe.toString(), "tokenize", libDir.toString(), gguf.toString(), text)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (p.waitFor() != 0 || out.isEmpty()) {
                throw new IllegalStateException("llama.cpp could not tokenize with " + gguf);
            }
            return Arrays.stream(out.split(",")).mapToLong(Long::parseLong).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while llama.cpp tokenized", e);
        }
    }

    /** Token ids in the vocabulary; no sliding window shorter than the sequence, which llama.cpp's llama lacks. */
    static void check(MixtralConfig c, long[] tokens) {
        if (tokens.length == 0) {
            throw new BadInputException("give at least one token");
        }
        for (long id : tokens) {
            if (id < 0 || id >= c.vocabSize()) {
                throw new BadInputException("token id " + id + " is outside the vocabulary (vocab_size " + c.vocabSize() + ")");
            }
        }
        if (c.slidingWindow() != null && tokens.length > c.slidingWindow()) {
            throw new BadInputException(tokens.length + " tokens exceed the model's sliding window of "
                    + c.slidingWindow() + ": llama.cpp runs Mixtral as its llama architecture, which has no sliding "
                    + "window, so it would attend further back than the model; trace at most " + c.slidingWindow()
                    + " tokens");
        }
    }

    private static TensorDump run(Path exe, Path libDir, Path gguf, int threads, long[] tokens, List<String> names) {
        try {
            Path out = Files.createTempFile("llama-trace-", ".bin");
            Path log = Files.createTempFile("llama-trace-", ".log");
            try {
                List<String> cmd = new ArrayList<>(List.of(exe.toString(), libDir.toString(), gguf.toString(),
                        out.toString(), String.valueOf(threads),
                        Arrays.stream(tokens).mapToObj(Long::toString).collect(Collectors.joining(","))));
                cmd.addAll(names);
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                int rc = p.waitFor();
                String said = Files.readString(log).strip();
                if (rc != 0) {
                    throw new IllegalStateException("llama.cpp failed (exit " + rc + "): " + said);
                }
                return TensorDump.read(out);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while llama.cpp ran", e);
        }
    }

    /** The dump's tensors under our names and shapes, in forward order; what llama.cpp did not hand over is left out. */
    static Map<String, INDArray> tensors(TensorDump dump, MixtralConfig c, long[] tokens) {
        int t = tokens.length;
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(TensorNames.TOKENS, Nd4j.createFromArray(tokens.clone()));
        for (int l = -1; l < c.numHiddenLayers(); l++) {
            for (GraphName g : GraphName.values()) {
                boolean layered = g.tensor.scope() == TraceTensor.Scope.LAYER;
                TensorDump.Entry e = dump.tensors().get(g.at(l));
                if (layered != (l >= 0) || g == GraphName.FINAL_NORM || e == null) {
                    continue;
                }
                out.put(g.traceName(l), array(g, e, c, t));
            }
        }
        TensorDump.Entry fin = dump.tensors().get(GraphName.FINAL_NORM.at(-1));
        if (fin != null) {
            out.put(GraphName.FINAL_NORM.traceName(-1), array(GraphName.FINAL_NORM, fin, c, t));
        }
        TensorDump.Entry logits = dump.tensors().get(GraphName.LOGITS);
        out.put(TensorNames.LOGITS, Nd4j.create(logits.floats(), new long[] {t, logits.ne()[0]}, 'c'));
        return out;
    }

    private static INDArray array(GraphName g, TensorDump.Entry e, MixtralConfig c, int t) {
        long[] shape = g.tensor.expectedShape(c, t);
        if (g == GraphName.ATTN_PROBS) {
            long cells = e.ne()[0];    // [n_kv, T, H] in ggml order: row-major [H, T, n_kv]
            INDArray all = Nd4j.create(e.floats(), new long[] {e.ne()[2], e.ne()[1], cells}, 'c');
            return all.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, t)).dup('c');
        }
        if (e.count() != Arrays.stream(shape).reduce(1, (a, b) -> a * b)) {
            throw new IllegalStateException("llama.cpp's " + e.name() + " has dims " + Arrays.toString(e.ne())
                    + ", which do not make our " + Arrays.toString(shape));
        }
        if (e.ints() != null) {
            return Nd4j.createFromArray(Arrays.stream(e.ints()).asLongStream().toArray()).reshape(shape);
        }
        return Nd4j.create(e.floats(), shape, 'c');
    }
}
