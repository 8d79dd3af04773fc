package mixtral.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void digestsAreWhatSha256sumPrints() {
        assertEquals(ABC, Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(EMPTY, Sha256.of(new byte[0]));
    }

    @Test
    void piecesAddedOneAfterAnotherDigestLikeTheirConcatenation() {
        assertEquals(ABC, Sha256.digest().add("a").add("bc").hex());
        // A digest that hashed each piece on its own and combined the results would not give sha256("abc").
        assertNotEquals(ABC, Sha256.digest().add("ab").hex());
    }

    @Test
    void textIsHashedAsUtf8() {
        // printf 'é' | sha256sum; as Latin-1 or UTF-16 the same character digests otherwise.
        String utf8 = "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c";
        assertEquals(utf8, Sha256.digest().add("é").hex());
    }

    @Test
    void filesDigestTheirBytesInOrder(@TempDir Path dir) throws IOException {
        Path a = Files.writeString(dir.resolve("a"), "a");
        Path bc = Files.writeString(dir.resolve("bc"), "bc");
        assertEquals(ABC, Sha256.of(List.of(a, bc)));
        assertNotEquals(ABC, Sha256.of(List.of(bc, a)));
        assertEquals(ABC, Sha256.digest().add(a).add("bc").hex());
        assertEquals(Sha256.of("a".getBytes(StandardCharsets.US_ASCII)), Sha256.of(a));
    }
}
