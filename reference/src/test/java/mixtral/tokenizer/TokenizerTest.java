package mixtral.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import mixtral.BadInputException;
import org.junit.jupiter.api.Test;

/** Properties of the Mixtral tokenizer (skipped without its file, except under CI) and of the demo tokenizer. */
class TokenizerTest {
    private static Tokenizer mixtral() {
        return Tokenizer.load(TokenizerFiles.mixtralModel());
    }

    @Test
    void mixtralVocabularyHasItsKnownIds() {
        Tokenizer t = mixtral();
        assertEquals(32000, t.vocabSize());
        assertEquals(0, t.unkId());
        assertEquals(1, t.bosId());
        assertEquals(2, t.eosId());
        assertEquals("<s>", t.piece(1));
        assertEquals("<0x0A>", t.piece(13));
        assertEquals(13, t.id("<0x0A>"));
        assertEquals(22557, t.id("▁Hello"));
        assertEquals(t.unkId(), t.id("not a piece at all"));
        assertArrayEquals(new int[] {22557, 1526}, t.encode("Hello world"));
    }

    @Test
    void spacesBecomeLowerOneEighthBlocksWithADummyPrefix() {
        Tokenizer t = mixtral();
        assertEquals("▁Hello", t.piece(t.encode("Hello")[0]));
        assertEquals("▁\u2581a\u2581\u2581b", t.normalize(" a  b").replace('\u2581', '▁'));
        assertEquals("", t.normalize(""));
    }

    @Test
    void dummyPrefixIsDroppedOnDecode() {
        Tokenizer t = mixtral();
        assertEquals("Hello", t.decode(t.encode("Hello")));
        assertEquals(" Hello", t.decode(t.encode(" Hello")));
        assertEquals("Hello Hello", t.decode(t.id("▁Hello"), t.id("▁Hello")));
        assertEquals("Hello", t.decode(t.bosId(), t.id("▁Hello")), "control pieces do not use up the dummy prefix");
    }

    @Test
    void bytePiecesJoinIntoMultiByteCharacters() {
        Tokenizer t = mixtral();
        int[] ids = t.encode("𒀀");    // U+12000, not in the vocabulary: F0 92 80 80
        assertEquals(Arrays.asList("▁", "<0xF0>", "<0x92>", "<0x80>", "<0x80>"), pieces(t, ids));
        assertEquals("𒀀", t.decode(ids));
        assertEquals("\uFFFD\uFFFDa", t.decode(t.id("<0xF0>"), t.id("<0x92>"), t.id("a")),
                "an incomplete character decodes to one U+FFFD per byte");
    }

    @Test
    void specialTokenTextIsOrdinaryText() {
        Tokenizer t = mixtral();
        int[] ids = t.encode("<s>hi</s>");
        assertFalse(Arrays.stream(ids).anyMatch(id -> id == t.bosId() || id == t.eosId()));
        assertEquals("<s>hi</s>", t.decode(ids));
    }

    @Test
    void unpairedSurrogateBecomesReplacementCharacter() {
        Tokenizer t = Tokenizer.demo();
        assertArrayEquals(t.encode("a\uFFFDb"), t.encode("a\uD800b"), "lone high surrogate");
        assertArrayEquals(t.encode("a\uFFFDb"), t.encode("a\uDC00b"), "lone low surrogate");
        assertArrayEquals(t.encode("a\uFFFD"), t.encode("a\uD83D"), "high surrogate at the end");
        assertArrayEquals(t.encode("\uFFFD\uFFFD"), t.encode("\uDE00\uD83D"), "pair in the wrong order");
        assertEquals("a\uFFFDb", t.decode(t.encode("a\uD800b")));
        assertEquals("😀", t.decode(t.encode("😀")), "a proper pair is one character");
    }

    @Test
    void nulAndControlCharactersRoundTrip() {
        Tokenizer t = Tokenizer.demo();
        String text = "a\u0000b\u0001\u001b[0m\u007f\r\n\t\u0085\u2028";
        assertEquals(text, t.decode(t.encode(text)));
    }

    @Test
    void emptyTextHasNoTokensAndBosOnlyWhenAsked() {
        Tokenizer t = Tokenizer.demo();
        assertArrayEquals(new int[0], t.encode(""));
        assertArrayEquals(new int[] {1}, t.encode("", true));
        int[] plain = t.encode("Bonjour");
        int[] withBos = t.encode("Bonjour", true);
        assertEquals(1, withBos[0]);
        assertArrayEquals(plain, Arrays.copyOfRange(withBos, 1, withBos.length));
        assertEquals("Bonjour", t.decode(withBos));
    }

    @Test
    void aMegabyteOfTextEncodesAndRoundTrips() {
        Tokenizer t = Tokenizer.demo();
        StringBuilder sb = new StringBuilder();
        String[] parts = {
            "Straße und Brücke ", "l'été à Paris ", "😀🇫🇷 ", "日本語のテキスト ", "    ", "\n\t", "x = a[i] + 1;\n"};
        for (int i = 0; sb.length() < 1_000_000; i++) {
            sb.append(parts[i % parts.length]).append(i);
        }
        String text = sb.toString();
        assertEquals(text, t.decode(t.encode(text)));
        String spaces = " ".repeat(1_000_000);
        assertEquals(spaces, t.decode(t.encode(spaces)));
        String same = "a".repeat(1_000_000);
        assertEquals(same, t.decode(t.encode(same)));
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        Tokenizer t = Tokenizer.demo();
        BadInputException e = assertThrows(BadInputException.class, () -> t.decode(5, t.vocabSize()));
        int v = t.vocabSize();
        assertTrue(e.getMessage().contains("token id " + v + " is out of range [0, " + v + ")"), e.getMessage());
        assertThrows(BadInputException.class, () -> t.decode(-1));
    }

    static java.util.List<String> pieces(Tokenizer t, int[] ids) {
        return Arrays.stream(ids).mapToObj(t::piece).toList();
    }
}
