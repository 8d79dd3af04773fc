package mixtral.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Downloads the files a model folder needs from a Hugging Face hub repository. Each file goes to {@code NAME.part}
 * first and becomes {@code NAME} only once its size and checksum (sha256 for Git LFS files, the git blob id for the
 * rest) are right, so an interrupted run resumes where it stopped and a corrupted file is never taken for a good one.
 */
public final class Downloader {
    /** Told about each file and each chunk of bytes, to draw a progress bar. */
    public interface Listener {
        Listener NONE = new Listener() {};

        default void plan(List<RepoFile> files, long bytesToFetch) {}

        default void file(RepoFile file, long alreadyHere) {}

        default void bytes(long n) {}
    }

    /** What a run did: the commit it fetched, the files it wrote now, those already present, bytes transferred. */
    public record Result(String commit, List<RepoFile> files, int fetched, int present, long bytesTransferred) {}

    private static final int CHUNK = 1 << 20;
    private final HubClient hub;

    public Downloader(URI endpoint, String token) {
        this.hub = new HubClient(endpoint, token);
    }

    public Result download(String repo, String revision, Path dir, Listener listener) {
        HubClient.Listing listing = hub.list(repo, revision);
        List<RepoFile> files = FileSelection.choose(listing.files());
        if (files.stream().noneMatch(f -> f.name().endsWith(".safetensors"))) {
            throw new DownloadException(repo + ": no .safetensors weights at " + revision
                    + " (only safetensors are read; pickle .bin/.pt files are not fetched)");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DownloadException(dir + ": cannot create the folder (" + e.getMessage() + ")");
        }
        long toFetch = files.stream().mapToLong(f -> f.size() - present(dir, f)).sum();
        listener.plan(files, toFetch);
        int fetched = 0;
        long transferred = 0;
        for (RepoFile f : files) {
            if (isComplete(dir, f)) {
                continue;
            }
            transferred += fetch(repo, listing.commit(), f, dir, listener);
            fetched++;
        }
        return new Result(listing.commit(), files, fetched, files.size() - fetched, transferred);
    }

    /** Bytes of the file already on disk, finished or partial. */
    private static long present(Path dir, RepoFile f) {
        try {
            if (isComplete(dir, f)) {
                return f.size();
            }
            Path part = partOf(dir, f);
            return Files.exists(part) && f.sha256() != null ? Math.min(Files.size(part), f.size()) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** A finished file was verified before it got its name, so the right size is enough to skip it. */
    private static boolean isComplete(Path dir, RepoFile f) {
        Path target = dir.resolve(f.name());
        try {
            return Files.isRegularFile(target) && Files.size(target) == f.size();
        } catch (IOException e) {
            return false;
        }
    }

    private static Path partOf(Path dir, RepoFile f) {
        return dir.resolve(f.name() + ".part");
    }

    /** Fetches one file into NAME.part, resuming it when possible, verifies it and renames it; returns bytes read. */
    private long fetch(String repo, String commit, RepoFile f, Path dir, Listener listener) {
        Path part = partOf(dir, f);
        try {
            // Only LFS files resume: a git blob id covers the whole content, and such files are small anyway.
            long offset = Files.exists(part) && f.sha256() != null ? Files.size(part) : 0;
            if (offset > f.size()) {
                offset = 0;
            }
            MessageDigest digest = digestOf(f);
            if (offset > 0) {
                hashExisting(part, offset, digest);
            }
            HubClient.Body body = hub.open(repo, commit, f, offset);
            if (offset > 0 && !body.partial()) {
                offset = 0;                                   // the server ignored the Range header: start over
                digest = digestOf(f);
            }
            listener.file(f, offset);
            long read = copy(body.in(), part, offset > 0, digest, listener, f);
            long size = Files.size(part);
            if (size != f.size()) {
                throw new DownloadException(f.name() + ": transfer stopped after " + size + " of " + f.size()
                        + " bytes; run the same command again to resume");
            }
            String got = HexFormat.of().formatHex(digest.digest());
            String want = f.sha256() != null ? f.sha256() : f.gitSha();
            if (want != null && !want.equalsIgnoreCase(got)) {
                Files.delete(part);
                throw new DownloadException(f.name() + ": checksum mismatch (expected " + want + ", got " + got
                        + "); the corrupted download was deleted, run again to fetch it anew");
            }
            Files.move(part, dir.resolve(f.name()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return read;
        } catch (IOException e) {
            throw new DownloadException(f.name() + ": " + e.getMessage() + "; run the same command again to resume");
        }
    }

    private static long copy(InputStream in, Path part, boolean append, MessageDigest digest, Listener listener,
                             RepoFile f) throws IOException {
        long read = 0;
        try (in; OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[CHUNK];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                digest.update(buf, 0, n);
                read += n;
                listener.bytes(n);
            }
        } catch (IOException e) {
            throw new DownloadException(f.name() + ": transfer interrupted after " + Files.size(part) + " of " + f.size()
                    + " bytes (" + e.getMessage() + "); run the same command again to resume");
        }
        return read;
    }

    private static void hashExisting(Path part, long length, MessageDigest digest) throws IOException {
        try (InputStream in = Files.newInputStream(part)) {
            byte[] buf = new byte[CHUNK];
            long left = length;
            for (int n; left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0; left -= n) {
                digest.update(buf, 0, n);
            }
        }
    }

    /** sha256 of the content for LFS files; for git files, sha1 of the blob header and content (the git blob id). */
    private static MessageDigest digestOf(RepoFile f) {
        try {
            if (f.sha256() != null || f.gitSha() == null) {
                return MessageDigest.getInstance("SHA-256");
            }
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + f.size() + "\0").getBytes(StandardCharsets.US_ASCII));
            return sha1;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
