package mixtral.inspector.analysis;

/**
 * A view asked of a trace that lacks tensors it needs: an imported trace may hold any subset of the trace format.
 * The message names the view and the first tensor missing; the API answers 422.
 */
public final class IncompleteTraceException extends RuntimeException {
    public IncompleteTraceException(String message) {
        super(message);
    }
}
