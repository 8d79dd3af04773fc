package mixtral.inspector.text;

import java.util.Arrays;
import java.util.stream.Collectors;
import mixtral.BadInputException;

/** For a model without a tokenizer: the prompt is token ids separated by spaces or commas, and a piece is its id. */
public final class IdCodec implements TextCodec {

    @Override
    public long[] encode(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return new long[0];
        }
        try {
            return Arrays.stream(trimmed.split("[\\s,]+")).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            throw new BadInputException("this model has no tokenizer: type token ids separated by spaces, e.g. '1 15 7'");
        }
    }

    @Override
    public String decode(long[] ids) {
        return Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(" "));
    }

    @Override
    public String piece(int id) {
        return Integer.toString(id);
    }

    @Override
    public String description() {
        return "no tokenizer: type token ids separated by spaces";
    }
}
