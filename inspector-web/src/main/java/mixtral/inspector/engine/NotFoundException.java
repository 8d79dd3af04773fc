package mixtral.inspector.engine;

/** A trace id, token position, layer or head that does not exist. */
public final class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
