package mixtral.tokenizer;

import java.util.List;
import java.util.Map;

/**
 * What the encoder needs from a tokenizer file, whichever format it came in. Piece {@code i} has id {@code i}.
 *
 * @param source         the file it was read from, for error messages
 * @param pieces         the vocabulary, index = id; {@code ▁} (U+2581) stands for a space
 * @param scores         BPE merge priority of each piece (a .model's scores): of two adjacent symbols, the pair whose
 *                       concatenation scores highest is merged first
 * @param mergeRanks     instead of scores, a tokenizer.json's ranked merges: key {@code left + "\0" + right}, value
 *                       the rank (lowest merges first); null for a .model
 * @param types          the kind of each piece
 * @param addDummyPrefix whether a {@code ▁} is put before the text, so that the first word looks like every other
 * @param byteFallback   whether a character missing from the vocabulary becomes its UTF-8 bytes {@code <0xNN>}
 *                       (otherwise it becomes {@code <unk>})
 * @param unkSurface     what {@code <unk>} decodes to
 * @param bosPiece       the beginning-of-sequence piece, e.g. {@code <s>}
 * @param eosPiece       the end-of-sequence piece, e.g. {@code </s>}
 */
public record TokenizerModel(
        String source,
        List<String> pieces,
        float[] scores,
        Map<String, Integer> mergeRanks,
        PieceType[] types,
        boolean addDummyPrefix,
        boolean byteFallback,
        String unkSurface,
        String bosPiece,
        String eosPiece) {

    public int size() {
        return pieces.size();
    }
}
