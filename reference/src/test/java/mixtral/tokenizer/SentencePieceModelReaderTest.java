package mixtral.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import mixtral.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentencePieceModelReaderTest {
    @TempDir
    Path dir;

    @Test
    void mixtralModelHasTheSettingsItsProtoDeclares() {
        TokenizerModel m = SentencePieceModelReader.read(TokenizerFiles.mixtralModel());
        assertEquals(32000, m.size());
        assertTrue(m.addDummyPrefix());
        assertTrue(m.byteFallback());
        assertEquals(" \u2047 ", m.unkSurface());
        assertEquals("▁▁", m.pieces().get(259));
        assertEquals(-1e9f, m.scores()[259], "whitespace-only pieces are merged last");
        assertEquals(-2f, m.scores()[261]);
        assertEquals(256, Arrays.stream(m.types()).filter(t -> t == PieceType.BYTE).count());
        assertEquals(PieceType.CONTROL, m.types()[1]);
        assertEquals(PieceType.UNKNOWN, m.types()[0]);
    }

    @Test
    void aMinimalModelReadsAndEncodes() throws Exception {
        Tokenizer t = Tokenizer.load(write(model(2, normalizer("identity", false), "ab")));
        assertArrayEquals(new int[] {t.id("▁ab")}, t.encode("ab"));
        assertEquals(2, t.eosId());
        assertEquals("ab", t.decode(t.encode("ab")));
    }

    @Test
    void unsupportedSettingsAreRefusedByName() throws Exception {
        assertRefused(model(1, normalizer("identity", false), ""), "model_type UNIGRAM is not supported (only BPE)");
        assertRefused(model(2, new byte[0], ""), "remove_extra_whitespaces=true is not supported");
        assertRefused(model(2, normalizer("identity", true), ""), "remove_extra_whitespaces=true is not supported");
        byte[] nfkc = cat(normalizer("nmt_nfkc", false), field(2, new byte[] {1, 2, 3}));
        assertRefused(model(2, nfkc, ""), "normalizer 'nmt_nfkc' rewrites characters; only identity normalization is supported");
        assertRefused(model(2, normalizer("identity", false), "user"), "USER_DEFINED pieces are not supported");
    }

    @Test
    void aFileThatIsNotAModelIsBadInput() throws Exception {
        Path file = dir.resolve("tokenizer.model");
        Files.writeString(file, "this is not a protobuf");
        BadInputException e = assertThrows(BadInputException.class, () -> Tokenizer.load(file));
        assertTrue(e.getMessage().startsWith(file + ": not a SentencePiece model ("), e.getMessage());
    }

    private void assertRefused(byte[] model, String message) throws Exception {
        Path file = write(model);
        BadInputException e = assertThrows(BadInputException.class, () -> Tokenizer.load(file));
        assertEquals(file + ": " + message, e.getMessage());
    }

    private Path write(byte[] model) throws Exception {
        Path file = dir.resolve("tokenizer.model");
        Files.write(file, model);
        return file;
    }

    /** A ModelProto: <unk> <s> </s> ▁ a b ▁a ▁ab, the given model type and normalizer; "user" adds a USER_DEFINED piece. */
    private static byte[] model(int modelType, byte[] normalizerSpec, String extra) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] pieces = {"<unk>", "<s>", "</s>", "▁", "a", "b", "▁a", "▁ab"};
        int[] types = {2, 3, 3, 1, 1, 1, 1, 1};
        for (int i = 0; i < pieces.length; i++) {
            byte[] text = field(1, pieces[i].getBytes(StandardCharsets.UTF_8));
            out.writeBytes(field(1, cat(text, fixed32(2, -i), varint(3, types[i]))));
        }
        if (extra.equals("user")) {
            out.writeBytes(field(1, cat(field(1, "<tool>".getBytes(StandardCharsets.UTF_8)), varint(3, 4))));
        }
        out.writeBytes(field(2, cat(varint(3, modelType), varint(43, -1))));    // pad_id -1: a 10-byte varint
        if (normalizerSpec.length > 0) {
            out.writeBytes(field(3, normalizerSpec));
        }
        return out.toByteArray();
    }

    private static byte[] normalizer(String name, boolean removeExtraWhitespaces) {
        return cat(field(1, name.getBytes(StandardCharsets.UTF_8)), varint(3, 1), varint(4, removeExtraWhitespaces ? 1 : 0));
    }

    private static byte[] varint(int field, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, (long) field << 3);
        writeVarint(out, value);
        return out.toByteArray();
    }

    private static byte[] fixed32(int field, float value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, (long) field << 3 | 5);
        int bits = Float.floatToIntBits(value);
        for (int i = 0; i < 4; i++) {
            out.write(bits >>> (8 * i));
        }
        return out.toByteArray();
    }

    private static byte[] field(int field, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, (long) field << 3 | 2);
        writeVarint(out, value.length);
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
