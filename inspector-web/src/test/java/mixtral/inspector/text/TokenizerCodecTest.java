package mixtral.inspector.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import mixtral.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

class TokenizerCodecTest {
    private final TokenizerCodec codec = new TokenizerCodec(Tokenizer.demo());

    @Test
    void promptsStartWithBosAndDecodeBackToTheirText() {
        for (String text : List.of("Hello world", "Le routeur choisit deux experts.", "Ein Ärger über 😀", "代码 x = 1")) {
            long[] ids = codec.encode(text);
            assertEquals("<s>", codec.piece((int) ids[0]), text);
            assertEquals(text, codec.decode(ids), text);
        }
    }

    @Test
    void labelsOfAnEmojiSpelledInBytesJoinIntoTheCharacter() {
        long[] ids = codec.encode("😀");
        List<String> pieces = Arrays.stream(ids).mapToObj(id -> codec.piece((int) id)).toList();
        List<String> labels = TokenLabels.of(pieces);
        assertEquals(true, labels.contains("😀"), "labels " + labels + " of pieces " + pieces);
    }
}
