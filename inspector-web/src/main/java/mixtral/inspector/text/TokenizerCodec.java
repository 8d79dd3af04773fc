package mixtral.inspector.text;

import java.util.Arrays;
import mixtral.tokenizer.Tokenizer;

/** The model's SentencePiece tokenizer behind the {@link TextCodec} seam; prompts get a leading BOS, as HF does. */
public final class TokenizerCodec implements TextCodec {
    private final Tokenizer tokenizer;

    public TokenizerCodec(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    @Override
    public long[] encode(String text) {
        return Arrays.stream(tokenizer.encode(text, true)).asLongStream().toArray();
    }

    @Override
    public String decode(long[] ids) {
        return tokenizer.decode(Arrays.stream(ids).mapToInt(Math::toIntExact).toArray());
    }

    @Override
    public String piece(int id) {
        return id < tokenizer.vocabSize() ? tokenizer.piece(id) : "<" + id + ">";
    }

    @Override
    public String description() {
        return "SentencePiece BPE tokenizer, " + tokenizer.vocabSize() + " pieces; text prompts start with <s>";
    }
}
