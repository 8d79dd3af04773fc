package mixtral.inspector.engine;

import mixtral.BadInputException;

/**
 * What one inspector server accepts.
 *
 * @param maxTokens       longest token sequence a trace may have, prompt plus generated tokens
 * @param maxGenerate     most tokens one request may generate
 * @param maxRequestBytes largest JSON request body
 * @param queue           model runs that may wait while one runs; more get 429
 * @param cachedTraces    traces kept in memory (all of them stay on disk)
 * @param maxImportBytes  largest trace file {@code POST /api/traces/import} accepts
 */
public record Limits(int maxTokens, int maxGenerate, int maxRequestBytes, int queue, int cachedTraces,
                     long maxImportBytes) {
    /** A complete demo-model trace of 512 tokens is about 23 MB; a routing-only one of 8x7B is 0.2 MB per token. */
    public static final long DEFAULT_IMPORT_BYTES = 64L << 20;

    public Limits {
        if (maxTokens < 1 || maxGenerate < 0 || maxRequestBytes < 64 || queue < 0 || cachedTraces < 1
                || maxImportBytes < 1) {
            throw new BadInputException("limits must be positive: " + maxTokens + " tokens, " + maxGenerate
                    + " generated, " + maxRequestBytes + " bytes, queue " + queue + ", cache " + cachedTraces
                    + ", import " + maxImportBytes + " bytes");
        }
    }

    /** The limits with the default import cap. */
    public Limits(int maxTokens, int maxGenerate, int maxRequestBytes, int queue, int cachedTraces) {
        this(maxTokens, maxGenerate, maxRequestBytes, queue, cachedTraces, DEFAULT_IMPORT_BYTES);
    }

    public static Limits defaults() {
        return new Limits(512, 64, 64 * 1024, 4, 32);
    }

    public Limits withMaxImportBytes(long bytes) {
        return new Limits(maxTokens, maxGenerate, maxRequestBytes, queue, cachedTraces, bytes);
    }
}
