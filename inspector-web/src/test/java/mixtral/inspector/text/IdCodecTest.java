package mixtral.inspector.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mixtral.BadInputException;
import org.junit.jupiter.api.Test;

class IdCodecTest {
    private final IdCodec codec = new IdCodec();

    @Test
    void aPromptForAModelWithoutTokenizerIsIdsSeparatedBySpacesOrCommas() {
        assertArrayEquals(new long[] {1, 17, 42, 9}, codec.encode(" 1 17,42 ,  9 "));
        assertArrayEquals(new long[0], codec.encode("   "));
        assertEquals("1 17 42", codec.decode(new long[] {1, 17, 42}));
        assertEquals("42", codec.piece(42));
    }

    @Test
    void wordsAreRefusedWithAHintWhatToType() {
        BadInputException e = assertThrows(BadInputException.class, () -> codec.encode("hello world"));
        assertTrue(e.getMessage().contains("token ids"), e.getMessage());
    }
}
