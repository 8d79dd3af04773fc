package mixtral;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A file this program writes: checked before the work that produces it starts, then written atomically (beside the
 * target under a temporary name, flushed to disk, moved into place), so that a crash or a kill never leaves half a
 * file under the target's name, and a failed write leaves no temporary file behind.
 */
public final class OutputFile {
    private OutputFile() {}

    /** Writes the bytes {@code body} produces to {@code target}. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Refuses a target that cannot be written as a file, before anything slow runs: an existing folder, or a path
     * below something that is not a folder. {@code what} names it in the message, e.g. {@code --out}.
     */
    public static void check(Path target, String what) {
        if (Files.isDirectory(target)) {
            throw new BadInputException(what + " " + target + ": is a folder; give a file name");
        }
        checkParents(target, what);
    }

    /**
     * The same for a folder to create and fill: it must not be a file, nor lie below one, nor hold anything yet (so
     * that nothing of the user's is overwritten, or deleted by a command that cleans up its folder).
     */
    public static void checkNewFolder(Path target, String what) {
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new BadInputException(what + " " + target + ": is a file, not a folder");
        }
        if (Files.isDirectory(target)) {
            try (Stream<Path> entries = Files.list(target)) {
                if (entries.findAny().isPresent()) {
                    throw new BadInputException(what + " " + target + ": is not empty; give a new or empty folder");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + target + ": " + e.getMessage(), e);
            }
        }
        checkParents(target, what);
    }

    /** Refuses to write {@code bytes} where the disk holding {@code target} (or its nearest existing parent) has less. */
    public static void checkSpace(Path target, long bytes, String what) {
        Path existing = target.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        try {
            long free = Files.getFileStore(existing).getUsableSpace();
            if (bytes > free) {
                throw new BadInputException(String.format(Locale.ROOT, "%s takes %.1f GB on disk; %s has %.1f GB free",
                        what, bytes / 1e9, existing, free / 1e9));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell the free space of " + existing + ": " + e.getMessage(), e);
        }
    }

    private static void checkParents(Path target, String what) {
        for (Path p = target.toAbsolutePath().normalize().getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) {
                    throw new BadInputException(what + " " + target + ": " + p + " is a file, not a folder");
                }
                if (!Files.isWritable(p)) {
                    throw new BadInputException(what + " " + target + ": folder " + p + " is not writable");
                }
                return;
            }
        }
    }

    /** Writes {@code target} atomically; a failure is an {@link UncheckedIOException} naming the target. */
    public static void write(Path target, Body body) {
        Path abs = target.toAbsolutePath().normalize();
        check(target, "cannot write");
        Path tmp = null;
        try {
            Files.createDirectories(abs.getParent());
            tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".partial");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(ch);
                body.writeTo(out);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (FileSystemException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + describe(e), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** "FILE: what is wrong with it", one line; the JDK leaves the reason out for the commonest cases, so name them. */
    public static String describe(FileSystemException f) {
        String reason = f.getReason() != null ? f.getReason()
                : f instanceof NoSuchFileException ? "no such file or folder"
                : f instanceof AccessDeniedException ? "permission denied"
                : f instanceof FileAlreadyExistsException ? "already exists"
                : f instanceof NotDirectoryException ? "not a folder"
                : f instanceof DirectoryNotEmptyException ? "folder not empty"
                : f.getClass().getSimpleName();
        String file = f.getFile() == null ? ""
                : f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": ";
        return file + reason;
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp == null) {
            return;
        }
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // the write already failed with a better message than this one could give
        }
    }
}
