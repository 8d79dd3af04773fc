package mixtral.inspector.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.SafetensorsFile;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceValidator;
import mixtral.trace.TraceValidator.Strictness;

/**
 * Reads a trace file made elsewhere (another engine, {@code ./mixtral trace}, an older inspector) and holds it to the
 * served model before anything stores it, as {@link TraceValidator} defines at {@link Strictness#EXACT}: names,
 * dtypes and shapes from the header before a tensor is read, then token ids, chosen experts and the metadata's
 * configuration. This class adds only the server's limits (bytes, tokens). Every refusal is one line.
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
            checkEntries(tmp, config, maxTokens);
            Trace trace = Trace.read(tmp);
            TraceValidator.checkValues(trace, null, config, Strictness.EXACT);
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

    /** Names, dtypes and shapes, from the header alone, before any tensor is read; then the token count. */
    private static void checkEntries(Path file, MixtralConfig c, int maxTokens) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            TraceValidator.checkEntries(f.tensors().values().stream().map(TraceValidator.Entry::of).toList(), null, c,
                    Strictness.EXACT);
            long tokens = f.tensors().get(TensorNames.TOKENS).shape()[0];
            if (tokens > maxTokens) {
                throw new TooLongException("the trace has " + tokens + " tokens; this server allows at most "
                        + maxTokens + " tokens per trace");
            }
        }
    }
}
