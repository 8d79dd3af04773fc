package mixtral.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SentencePiece's BPE rules, on vocabularies small enough to work out by hand. No dummy prefix, no ▁. */
class BpeRulesTest {
    @Test
    void theBestScoringPairMergesFirst() {
        Tokenizer t = tiny(false, "a", 0, "b", 0, "c", 0, "ab", -2, "bc", -1);
        assertEquals(List.of("a", "bc"), pieces(t, "abc"));
    }

    @Test
    void onATieTheLeftmostPairMergesFirst() {
        Tokenizer t = tiny(false, "a", 0, "b", 0, "c", 0, "ab", -1, "bc", -1);
        assertEquals(List.of("ab", "c"), pieces(t, "abc"));
        Tokenizer aa = tiny(false, "a", 0, "aa", -1);
        assertEquals(List.of("aa", "aa", "a"), pieces(aa, "aaaaa"));
    }

    @Test
    void mergesContinueFromMergedSymbols() {
        Tokenizer t = tiny(false, "a", 0, "b", 0, "c", 0, "ab", -1, "abc", -5, "bc", -3);
        assertEquals(List.of("abc"), pieces(t, "abc"));
        assertEquals(List.of("abc", "abc"), pieces(t, "abcabc"));
    }

    @Test
    void anUnusedPieceIsSplitBackIntoWhatMadeIt() {
        Tokenizer t = tiny(false, "a", 0, "b", 0, "c", 0, "ab:UNUSED", -1, "abc", -2);
        assertEquals(List.of("a", "b"), pieces(t, "ab"));
        assertEquals(List.of("abc"), pieces(t, "abc"), "an unused piece may still be a step towards a used one");
    }

    @Test
    void runsOfUnknownCharactersBecomeOneUnkWithoutByteFallback() {
        Tokenizer t = tiny(false, "a", 0, "b", 0);
        assertEquals(List.of("a", "<unk>", "b", "<unk>"), pieces(t, "a€€€b€"));
        assertEquals("a ⁇ b ⁇ ", t.decode(t.encode("a€€€b€")));
    }

    /** Pieces after {@code <unk> <s> </s>}, as (text, score) pairs; "text:UNUSED" marks an unused piece. */
    static Tokenizer tiny(boolean byteFallback, Object... pieceScores) {
        List<String> pieces = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<PieceType> types = new ArrayList<>(List.of(PieceType.UNKNOWN, PieceType.CONTROL, PieceType.CONTROL));
        float[] scores = new float[3 + pieceScores.length / 2];
        for (int i = 0; i < pieceScores.length; i += 2) {
            String[] p = ((String) pieceScores[i]).split(":");
            pieces.add(p[0]);
            types.add(p.length > 1 ? PieceType.valueOf(p[1]) : PieceType.NORMAL);
            scores[3 + i / 2] = ((Number) pieceScores[i + 1]).floatValue();
        }
        return new Tokenizer(new TokenizerModel("tiny", pieces, scores, null, types.toArray(PieceType[]::new),
                false, byteFallback, " \u2047 ", "<s>", "</s>"));
    }

    static List<String> pieces(Tokenizer t, String text) {
        return TokenizerTest.pieces(t, t.encode(text));
    }
}
