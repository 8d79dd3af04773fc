package mixtral.inspector.engine;

/** The model is running and its queue is full; the caller should retry after the given number of seconds. */
public final class BusyException extends RuntimeException {
    private final int retryAfterSeconds;

    public BusyException(int queued, int retryAfterSeconds) {
        super("the model is busy (" + queued + " runs queued); retry in " + retryAfterSeconds + " s");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
