package mixtral.hub;

import mixtral.BadInputException;

/** A download that cannot go on: one line that says why (the command exits 2, nothing half-written is left as done). */
public final class DownloadException extends BadInputException {
    public DownloadException(String message) {
        super(message);
    }
}
