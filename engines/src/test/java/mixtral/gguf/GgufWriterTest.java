package mixtral.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {
    @TempDir
    Path dir;

    @Test
    void headerMetadataAndTensorsReadBackAndEveryOffsetIsAligned() throws IOException {
        float[] a = QuantizeTest.random(3 * 5, 3);             // [5, 3]: rows of 3, not a block size
        float[] b = QuantizeTest.random(64 * 2, 4);
        Path f = dir.resolve("t.gguf");
        new GgufWriter().putString("general.architecture", "llama").putU32("n", 7).putF32("eps", 1e-5f)
                .putBool("yes", true).putStrings("words", List.of("a", "é", "")).putF32s("s", new float[] {1, -2})
                .putI32s("i", new int[] {3, -4})
                .tensor("a", new long[] {3, 5}, GgmlType.F32, List.of(() -> a))
                .tensor("b", new long[] {64, 2}, GgmlType.Q8_0, List.of(() -> java.util.Arrays.copyOf(b, 64),
                        () -> java.util.Arrays.copyOfRange(b, 64, 128)))
                .write(f);
        GgufReader r = GgufReader.read(f);
        assertEquals(3, r.version());
        assertEquals("llama", r.metadata().get("general.architecture"));
        assertEquals(7, r.metadata().get("n"));
        assertEquals(1e-5f, r.metadata().get("eps"));
        assertEquals(true, r.metadata().get("yes"));
        assertEquals(List.of("a", "é", ""), r.metadata().get("words"));
        assertEquals(List.of(1f, -2f), r.metadata().get("s"));
        assertEquals(List.of(3, -4), r.metadata().get("i"));
        assertEquals(0, r.dataStart() % GgufWriter.ALIGNMENT);
        for (GgufReader.Info t : r.tensors().values()) {
            assertEquals(0, t.offset() % GgufWriter.ALIGNMENT, t.name());
        }
        assertArrayEquals(new long[] {3, 5}, r.tensors().get("a").dims());
        assertEquals(64, r.tensors().get("b").offset(), "60 bytes of a, padded to 64");
        assertArrayEquals(a, r.values("a"));
        assertArrayEquals(GgmlType.Q8_0.encode(b), r.raw("b"));
        assertEquals(r.dataStart() + 64 + 160, r.file().length, "136 bytes of b padded to 160: the last tensor is padded too");
    }

    @Test
    void partsThatDoNotFillTheDimsAreRefused() {
        GgufWriter w = new GgufWriter().tensor("a", new long[] {4, 2}, GgmlType.F32, List.of(() -> new float[4]));
        assertThrows(IllegalStateException.class, () -> w.write(dir.resolve("bad.gguf")));
    }

    @Test
    void quantisedRowsMustBeWholeBlocks() {
        assertThrows(IllegalArgumentException.class,
                () -> new GgufWriter().tensor("a", new long[] {48, 2}, GgmlType.Q4_0, List.of()));
    }
}
