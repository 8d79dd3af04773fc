package mixtral.inspector.engine;

/** A prompt, or a prompt plus the tokens to generate, longer than the server's limit. */
public final class TooLongException extends RuntimeException {
    public TooLongException(String message) {
        super(message);
    }
}
