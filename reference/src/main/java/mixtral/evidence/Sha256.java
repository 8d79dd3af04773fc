package mixtral.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Hex sha256 digests (what {@code sha256sum} prints), to name the exact data and weights a report was computed on;
 * the golden cases, the inspector and the tests name the demo model's weights the same way.
 */
public final class Sha256 {
    private Sha256() {}

    public static String of(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** One file's sha256. */
    public static String of(Path file) {
        return of(List.of(file));
    }

    /** The digest of the files' bytes one after another: a lone file's own sha256. */
    public static String of(List<Path> files) {
        MessageDigest d = digest();
        for (Path f : files) {
            try (InputStream in = new DigestInputStream(Files.newInputStream(f), d)) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
