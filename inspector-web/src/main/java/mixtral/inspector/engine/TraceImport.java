package mixtral.inspector.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import mixtral.BadInputException;
import mixtral.config.ConfigJson;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.SafetensorsFile;
import mixtral.safetensors.TensorInfo;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceTensor;

/**
 * Reads a trace file made elsewhere (another engine, {@code ./mixtral trace}, an older inspector) and holds it to the
 * served model before anything stores it: every tensor named as {@link TraceTensor} defines the format, of its dtype
 * and of the shape {@link TraceTensor#expectedShape} gives for this model and the file's token count; the tokens
 * present and in the vocabulary; chosen experts in range and distinct; and the configuration in the metadata, if
 * any, this model's. A trace may hold any subset of the format besides its tokens. Every refusal is one line.
 */
public final class TraceImport {
    private TraceImport() {}

    /**
     * Copies at most {@code maxBytes} of {@code body} to a temporary file, reads it as a trace and validates it.
     * {@code declaredLength} is the request's Content-Length (-1 if none): a body announced too large is refused
     * before it is read.
     */
    public static Trace read(InputStream body, long declaredLength, long maxBytes, MixtralConfig config, int maxTokens) {
        if (declaredLength > maxBytes) {
            throw tooLarge(declaredLength, maxBytes);
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile("inspector-import-", ".safetensors");
            long n = copy(body, tmp, maxBytes);
            if (n == 0) {
                throw new BadInputException("the body is empty; send a trace file (safetensors)");
            }
            checkEntries(tmp, config);
            Trace trace = Trace.read(tmp);
            checkValues(trace, config, maxTokens);
            return trace;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot buffer the uploaded trace: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file; the OS cleans its temp directory
                }
            }
        }
    }

    private static long copy(InputStream in, Path file, long maxBytes) throws IOException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int r; (r = in.read(buf)) > 0; ) {
                total += r;
                if (total > maxBytes) {
                    throw tooLarge(total, maxBytes);
                }
                out.write(buf, 0, r);
            }
        }
        return total;
    }

    private static TooLongException tooLarge(long bytes, long maxBytes) {
        return new TooLongException("the trace file is " + (bytes > maxBytes ? "over " + maxBytes : bytes)
                + " bytes; this server imports at most " + maxBytes + " bytes");
    }

    /** Names, dtypes and shapes, from the header alone, before any tensor is read. */
    private static void checkEntries(Path file, MixtralConfig c) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, TensorInfo> tensors = f.tensors();
            TensorInfo tokens = tensors.get(TensorNames.TOKENS);
            if (tokens == null) {
                throw new BadInputException("the trace has no '" + TensorNames.TOKENS
                        + "' tensor: without its token ids it cannot be checked against this model");
            }
            if (tokens.shape().length != 1 || tokens.shape()[0] < 1) {
                throw new BadInputException("'" + TensorNames.TOKENS + "' has shape " + tokens.shapeString()
                        + "; expected [T] with T >= 1");
            }
            int t = (int) tokens.shape()[0];
            for (TensorInfo info : tensors.values()) {
                TraceTensor.Ref ref = TraceTensor.parse(info.name()).orElseThrow(() -> new BadInputException(
                        "tensor '" + info.name() + "' is not part of the trace format (GET /api/trace-format)"));
                if (ref.layer() >= c.numHiddenLayers()) {
                    throw new BadInputException("tensor '" + info.name() + "': this model has layers 0.."
                            + (c.numHiddenLayers() - 1));
                }
                if (!info.dtype().name().equals(ref.tensor().dtype().name())) {
                    throw new BadInputException("tensor '" + info.name() + "' is " + info.dtype() + "; the trace "
                            + "format stores it as " + ref.tensor().dtype());
                }
                long[] expected = ref.tensor().expectedShape(c, t);
                if (!Arrays.equals(info.shape(), expected)) {
                    throw new BadInputException("tensor '" + info.name() + "' has shape " + info.shapeString()
                            + "; this model's trace of " + t + " tokens has " + Arrays.toString(expected));
                }
            }
        }
    }

    /** Token ids and experts in range, and the metadata's configuration equal to this model's. */
    private static void checkValues(Trace trace, MixtralConfig c, int maxTokens) {
        long[] tokens = trace.get(TensorNames.TOKENS).toLongVector();
        if (tokens.length > maxTokens) {
            throw new TooLongException("the trace has " + tokens.length + " tokens; this server allows at most "
                    + maxTokens + " tokens per trace");
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= c.vocabSize()) {
                throw new BadInputException("token " + i + " has id " + tokens[i] + ", outside the vocabulary 0.."
                        + (c.vocabSize() - 1));
            }
        }
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            if (trace.has(TensorNames.selectedExperts(l))) {
                checkExperts(trace.get(TensorNames.selectedExperts(l)).toLongMatrix(), l, c.numLocalExperts());
            }
        }
        if (trace.metadata().containsKey("config")) {
            MixtralConfig theirs = trace.config();
            if (!c.equals(theirs)) {
                throw new BadInputException("the trace was made with another model: " + firstDifference(theirs, c));
            }
        }
    }

    /** The first configuration key (Hugging Face spelling) whose value differs, e.g. {@code hidden_size 4096, not 192}. */
    private static String firstDifference(MixtralConfig theirs, MixtralConfig ours) {
        JsonNode a = ConfigJson.toHuggingFace(theirs);
        JsonNode b = ConfigJson.toHuggingFace(ours);
        for (var it = b.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!b.get(key).equals(a.get(key))) {
                return "its config has " + key + " " + a.get(key) + ", this model's " + b.get(key);
            }
        }
        return "its config differs from this model's";
    }

    private static void checkExperts(long[][] experts, int layer, int e) {
        for (int t = 0; t < experts.length; t++) {
            long[] row = experts[t];
            if (Arrays.stream(row).anyMatch(x -> x < 0 || x >= e) || Arrays.stream(row).distinct().count() != row.length) {
                throw new BadInputException(TensorNames.selectedExperts(layer) + " at token " + t + " is "
                        + Arrays.toString(row) + "; expected distinct experts 0.." + (e - 1));
            }
        }
    }
}
