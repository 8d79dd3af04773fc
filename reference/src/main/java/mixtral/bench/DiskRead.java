package mixtral.bench;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads byte ranges of a file with O_DIRECT, past the page cache, to measure what the disk itself delivers. Where the
 * file system refuses O_DIRECT it reads normally and says so.
 */
final class DiskRead {
    private static final int BLOCK = 8 << 20;

    /** Seconds to read [begin, end) of the file, and whether the read bypassed the page cache. */
    record Timing(double seconds, boolean direct) {}

    private DiskRead() {}

    static Timing time(Path file, long begin, long end) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            return new Timing(read(ch, begin, end, true), true);
        } catch (UnsupportedOperationException | IOException e) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                return new Timing(read(ch, begin, end, false), false);
            }
        }
    }

    private static double read(FileChannel ch, long begin, long end, boolean direct) throws IOException {
        int align = 4096;
        ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK + align).alignedSlice(align);
        long start = System.nanoTime();
        for (long pos = begin / align * align; pos < end; ) {
            buf.clear();
            int n = ch.read(buf, pos);
            if (n <= 0) {
                break;
            }
            pos += n;
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
