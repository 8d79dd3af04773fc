package mixtral.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import mixtral.BadInputException;
import mixtral.safetensors.DType;
import mixtral.safetensors.SafetensorsFile;
import mixtral.safetensors.SafetensorsWriter;
import mixtral.testing.TargetTempDir;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights read past the page cache into reused buffers convert to exactly what the mapped file gives, whatever the
 * tensor's offset in the file (not a multiple of the disk block) and however many pieces it takes; tensors queued but
 * never asked for are dropped without holding up the rest; a NaN in any piece is still found.
 */
class DirectReadsTest {
    /** One disk block: a BF16 piece is 2048 values, an F32 piece 1024, so every tensor below spans several. */
    private static final long PIECE = 4096;
    private static final int A = 3001;           // BF16: 6002 bytes, so what follows starts off any block boundary
    private static final int B = 2500;           // F32
    private static final int C = 5555;           // BF16, with a NaN in its third piece
    @TempDir(factory = TargetTempDir.class)     // not tmpfs, which refuses O_DIRECT
    static Path dir;
    private static Path file;
    private static float[] a;
    private static float[] b;
    private static float[] c;

    @BeforeAll
    static void writeAFileWhoseTensorsStartOffBlockBoundaries() {
        file = dir.resolve("t.safetensors");
        SplittableRandom r = new SplittableRandom(7);
        a = bf16(r, A);
        b = new float[B];
        for (int i = 0; i < B; i++) {
            b[i] = (float) r.nextGaussian();
        }
        c = bf16(r, C);
        c[2 * 2048 + 17] = Float.NaN;
        new SafetensorsWriter().add("a", a, new long[] {A}, DType.BF16).add("b", b, new long[] {B}, DType.F32)
                .add("c", c, new long[] {C}, DType.BF16).write(file);
    }

    private static float[] bf16(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = Float.intBitsToFloat(Float.floatToRawIntBits((float) r.nextGaussian()) & 0xffff0000);
        }
        return v;
    }

    private static DirectReads open(SafetensorsFile f) {
        DirectReads d = DirectReads.open(List.of(f), PIECE, 3);
        assertNotNull(d, file + ": the file system refused O_DIRECT, so this test cannot check direct reads");
        return d;
    }

    private static List<ReadAhead.Range> all(SafetensorsFile f) {
        return List.of(new ReadAhead.Range(f, f.info("a")), new ReadAhead.Range(f, f.info("b")),
                new ReadAhead.Range(f, f.info("c")));
    }

    private static float[] convert(DirectReads d, SafetensorsFile f, String name, DirectReads.Result expected) {
        float[] out = new float[(int) f.info(name).numel()];
        assertEquals(expected, d.convert(f, f.info(name), FloatBuffer.wrap(out)), name);
        return out;
    }

    @Test
    void everyValueComesOutAsTheMappedFileGivesIt() {
        try (SafetensorsFile f = SafetensorsFile.open(file); DirectReads d = open(f)) {
            assertTrue(f.info("b").begin() % PIECE != 0, "b starts off a block boundary");
            d.queue(0, all(f));
            assertArrayEquals(a, convert(d, f, "a", DirectReads.Result.FINITE));
            assertArrayEquals(b, convert(d, f, "b", DirectReads.Result.FINITE));
            float[] mapped = new float[C];
            f.readFloats(f.info("c"), FloatBuffer.wrap(mapped));
            assertArrayEquals(mapped, convert(d, f, "c", DirectReads.Result.NOT_FINITE), "a NaN in the third piece");
            assertTrue(d.buffers() <= 3, d.buffers() + " buffers for 3 allowed");
            assertEquals(0, d.fromMapping(), "pieces that could not be read directly");
        }
    }

    @Test
    void whatIsQueuedBeforeTheTensorAskedForIsDroppedAndNotConvertedLater() {
        try (SafetensorsFile f = SafetensorsFile.open(file); DirectReads d = open(f)) {
            d.queue(4, all(f));
            assertArrayEquals(b, convert(d, f, "b", DirectReads.Result.FINITE), "b, with a's pieces still ahead of it");
            convert(d, f, "a", DirectReads.Result.NOT_QUEUED);
            convert(d, f, "c", DirectReads.Result.NOT_FINITE);
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                while (d.log().isEmpty()) {
                    Thread.sleep(10);
                }
            });
            ReadAhead.Span span = d.log().get(0);
            assertEquals(4, span.layer());
            assertTrue(span.bytesRead() >= 4L * B + 2L * C, span + ": b and c at least were read");
        }
    }

    @Test
    void aTensorNeverQueuedIsLeftToTheMappedFile() {
        try (SafetensorsFile f = SafetensorsFile.open(file); DirectReads d = open(f)) {
            d.queue(0, List.of(new ReadAhead.Range(f, f.info("b"))));
            convert(d, f, "a", DirectReads.Result.NOT_QUEUED);
            assertArrayEquals(b, convert(d, f, "b", DirectReads.Result.FINITE));
            assertEquals(0, d.fromMapping());
        }
    }

    @Test
    void aTensorQueuedTwiceInARowIsConvertedOnceFromEachQueuing() {
        try (SafetensorsFile f = SafetensorsFile.open(file); DirectReads d = open(f)) {
            d.queue(0, List.of(new ReadAhead.Range(f, f.info("b"))));
            d.queue(1, List.of(new ReadAhead.Range(f, f.info("b"))));
            assertArrayEquals(b, convert(d, f, "b", DirectReads.Result.FINITE), "stops at the end of the first");
            assertArrayEquals(b, convert(d, f, "b", DirectReads.Result.FINITE));
            convert(d, f, "b", DirectReads.Result.NOT_QUEUED);
        }
    }

    @Test
    void aTensorDroppedAsNotNeededIsNotConvertedAndFreesItsBuffersForTheRest() {
        try (SafetensorsFile f = SafetensorsFile.open(file); DirectReads d = open(f)) {
            d.queue(0, all(f));
            d.drop(List.of(new ReadAhead.Range(f, f.info("a")), new ReadAhead.Range(f, f.info("c"))));
            assertTrue(d.dropped() >= 2, d.dropped() + " pieces dropped");
            convert(d, f, "a", DirectReads.Result.NOT_QUEUED);
            assertArrayEquals(b, convert(d, f, "b", DirectReads.Result.FINITE), "b, read with 3 buffers in all");
            convert(d, f, "c", DirectReads.Result.NOT_QUEUED);
            assertEquals(0, d.fromMapping());
        }
    }

    @Test
    void closingWithPiecesStillQueuedReturnsPromptly() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                DirectReads d = open(f);
                for (int i = 0; i < 20; i++) {
                    d.queue(i, all(f));
                }
                d.close();
                convert(d, f, "a", DirectReads.Result.NOT_QUEUED);
            }
        });
    }

    @Test
    void autoReadsDirectOnlyACheckpointLargerThanTheAvailableMemory() {
        long available = ReadAheadMode.memAvailable();
        assertTrue(available > 0, "/proc/meminfo gave no MemAvailable");
        assertEquals(ReadAheadMode.DIRECT, ReadAheadMode.AUTO.resolve(available + (1L << 30)));
        assertEquals(ReadAheadMode.PAGE_CACHE, ReadAheadMode.AUTO.resolve(available / 4));
        assertEquals(ReadAheadMode.DIRECT, ReadAheadMode.DIRECT.resolve(1));
        assertEquals(ReadAheadMode.PAGE_CACHE, ReadAheadMode.PAGE_CACHE.resolve(Long.MAX_VALUE));
    }

    @Test
    void theSystemPropertyNamesTheModeAndAWrongNameIsOneLine() {
        try {
            for (String[] v : new String[][] {{"direct", "DIRECT"}, {"Page-Cache", "PAGE_CACHE"}, {"auto", "AUTO"}}) {
                System.setProperty("mixtral.readAhead", v[0]);
                assertEquals(ReadAheadMode.valueOf(v[1]), ReadAheadMode.fromSystemProperty());
            }
            System.clearProperty("mixtral.readAhead");
            assertEquals(ReadAheadMode.AUTO, ReadAheadMode.fromSystemProperty());
            System.setProperty("mixtral.readAhead", "odirect");
            BadInputException e = assertThrows(BadInputException.class, ReadAheadMode::fromSystemProperty);
            assertEquals("-Dmixtral.readAhead=odirect: expected auto, page-cache or direct", e.getMessage());
        } finally {
            System.clearProperty("mixtral.readAhead");
        }
    }
}
