package mixtral.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Hex sha256 digests (what {@code sha256sum} prints): the project's one way to name exact data. Reports name the
 * weights and data they were computed on with it, the golden cases and tests name the demo model's weights, and the
 * inspector derives its model fingerprint and trace ids from it.
 */
public final class Sha256 {
    private Sha256() {}

    public static String of(byte[] bytes) {
        return digest().add(bytes).hex();
    }

    /** One file's sha256. */
    public static String of(Path file) {
        return of(List.of(file));
    }

    /** The digest of the files' bytes one after another: a lone file's own sha256. */
    public static String of(List<Path> files) {
        Digest d = digest();
        files.forEach(d::add);
        return d.hex();
    }

    /** A digest to feed piece by piece; its hex is the sha256 of all the pieces' bytes one after another. */
    public static Digest digest() {
        try {
            return new Digest(MessageDigest.getInstance("SHA-256"));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes, text (as UTF-8) and files' contents, in the order added. */
    public static final class Digest {
        private final MessageDigest d;

        private Digest(MessageDigest d) {
            this.d = d;
        }

        public Digest add(byte[] bytes) {
            d.update(bytes);
            return this;
        }

        public Digest add(String text) {
            return add(text.getBytes(StandardCharsets.UTF_8));
        }

        public Digest add(Path file) {
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), d)) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            return this;
        }

        /** The digest of everything added, as 64 hex digits; the digest is then reset. */
        public String hex() {
            return HexFormat.of().formatHex(d.digest());
        }
    }
}
