package mixtral;

/**
 * A user error: a malformed checkpoint, a wrong configuration, a bad argument. The message is one line that names
 * what is wrong (the file, the key, the tensor); the command line prints it without a stack trace and exits 2.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
