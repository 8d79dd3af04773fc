package mixtral.inspector.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenLabelsTest {

    @Test
    void spaceMarkerShowsAsAVisibleSpace() {
        assertEquals(List.of("␣Bon", "jour", "␣"), TokenLabels.of(List.of("▁Bon", "jour", "▁")));
    }

    @Test
    void bytePiecesThatSpellACharacterShowItOnTheFirstByteAndHexOnTheRest() {
        // U+1F600 is F0 9F 98 80 in UTF-8.
        assertEquals(List.of("😀", "‹9F›", "‹98›", "‹80›"),
                TokenLabels.of(List.of("<0xF0>", "<0x9F>", "<0x98>", "<0x80>")));
    }

    @Test
    void bytesThatSpellNothingShowAsHex() {
        assertEquals(List.of("‹9F›", "a"), TokenLabels.of(List.of("<0x9F>", "a")));
        assertEquals(List.of("‹E4›", "‹B8›", "x"), TokenLabels.of(List.of("<0xE4>", "<0xB8>", "x")));
    }

    @Test
    void aNewlineByteIsAVisibleArrow() {
        assertEquals(List.of("↵", "⇥"), TokenLabels.of(List.of("<0x0A>", "<0x09>")));
    }

    @Test
    void htmlPiecesStayLiteralText() {
        assertEquals(List.of("<script>", "&amp;"), TokenLabels.of(List.of("<script>", "&amp;")));
    }

    @Test
    void byteOfRecognisesOnlyByteFallbackPieces() {
        assertEquals(0xC3, TokenLabels.byteOf("<0xC3>"));
        assertEquals(-1, TokenLabels.byteOf("<s>"));
        assertEquals(-1, TokenLabels.byteOf("▁<0xC3>"));
    }
}
