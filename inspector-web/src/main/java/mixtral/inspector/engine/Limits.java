package mixtral.inspector.engine;

import mixtral.BadInputException;

/**
 * What one inspector server accepts.
 *
 * @param maxTokens       longest token sequence a trace may have, prompt plus generated tokens
 * @param maxGenerate     most tokens one request may generate
 * @param maxRequestBytes largest request body
 * @param queue           model runs that may wait while one runs; more get 429
 * @param cachedTraces    traces kept in memory (all of them stay on disk)
 */
public record Limits(int maxTokens, int maxGenerate, int maxRequestBytes, int queue, int cachedTraces) {
    public Limits {
        if (maxTokens < 1 || maxGenerate < 0 || maxRequestBytes < 64 || queue < 0 || cachedTraces < 1) {
            throw new BadInputException("limits must be positive: " + maxTokens + " tokens, " + maxGenerate
                    + " generated, " + maxRequestBytes + " bytes, queue " + queue + ", cache " + cachedTraces);
        }
    }

    public static Limits defaults() {
        return new Limits(512, 64, 64 * 1024, 4, 32);
    }
}
