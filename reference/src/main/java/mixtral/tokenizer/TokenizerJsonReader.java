package mixtral.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import mixtral.BadInputException;

/**
 * Reads a Hugging Face {@code tokenizer.json} of the Mistral/Mixtral layout: a BPE model (vocab, merges,
 * byte_fallback, unk_token), special tokens in {@code added_tokens}, and either the normalizer
 * {@code Sequence[Prepend("▁"), Replace(" ", "▁")]} or the pre-tokenizer {@code Metaspace("▁", split=false)}.
 *
 * <p>A tokenizer.json ranks merges where a .model scores pieces: the encoder then merges the adjacent pair of lowest
 * rank first (leftmost on a tie), as Hugging Face tokenizers does. Converted from Mixtral's .model (merges ordered by
 * the score of the piece they make), this gives the same ids as the .model on the golden corpus. Pieces of types
 * other than NORMAL are never produced by a merge, as in sentencepiece.
 */
final class TokenizerJsonReader {
    private static final String SPACE_SYMBOL = "\u2581";

    private TokenizerJsonReader() {
    }

    static TokenizerModel read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new BadInputException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        return parse(file.toString(), root);
    }

    static TokenizerModel parse(String src, JsonNode root) {
        JsonNode model = root.path("model");
        String type = model.path("type").asText();
        require(src, "BPE".equals(type), "model.type is '" + type + "', expected BPE");
        boolean addDummyPrefix = readNormalization(src, root);
        JsonNode vocab = model.path("vocab");
        require(src, vocab.isObject() && vocab.size() > 0, "model.vocab is missing");
        String[] pieces = new String[vocab.size()];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt(-1);
            require(src, id >= 0 && id < pieces.length && pieces[id] == null,
                    "model.vocab id " + e.getValue() + " of '" + e.getKey() + "' is not a unique id below " + pieces.length);
            pieces[id] = e.getKey();
        }
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < pieces.length; i++) {
            ids.put(pieces[i], i);
        }
        boolean byteFallback = model.path("byte_fallback").asBoolean(false);
        PieceType[] types = new PieceType[pieces.length];
        Arrays.fill(types, PieceType.NORMAL);
        String unkToken = model.path("unk_token").asText("<unk>");
        for (JsonNode added : root.path("added_tokens")) {
            int id = added.path("id").asInt(-1);
            require(src, id >= 0 && id < pieces.length && pieces[id].equals(added.path("content").asText()),
                    "added token " + added.path("content") + " with id " + added.path("id") + " is not in model.vocab");
            if (added.path("special").asBoolean(false)) {
                types[id] = PieceType.CONTROL;
            }
        }
        require(src, ids.containsKey(unkToken), "unk_token '" + unkToken + "' is not in model.vocab");
        types[ids.get(unkToken)] = PieceType.UNKNOWN;
        for (int b = 0; byteFallback && b < 256; b++) {
            Integer id = ids.get(Tokenizer.bytePiece(b));
            require(src, id != null, "byte_fallback is on but " + Tokenizer.bytePiece(b) + " is not in model.vocab");
            types[id] = PieceType.BYTE;
        }
        Map<String, Integer> ranks = new HashMap<>();
        for (JsonNode merge : model.path("merges")) {
            String[] pair = splitMerge(src, merge);
            require(src, ids.containsKey(pair[0] + pair[1]) && ids.containsKey(pair[0]) && ids.containsKey(pair[1]),
                    "merge " + merge + " uses or makes a piece missing from model.vocab");
            ranks.putIfAbsent(pair[0] + '\0' + pair[1], ranks.size());
        }
        return new TokenizerModel(src, List.of(pieces), new float[pieces.length], ranks, types, addDummyPrefix, byteFallback,
                " \u2047 ", "<s>", "</s>");
    }

    /** Merges are "left right" strings in older files and ["left", "right"] pairs in newer ones. */
    private static String[] splitMerge(String src, JsonNode merge) {
        if (merge.isArray() && merge.size() == 2) {
            return new String[] {merge.get(0).asText(), merge.get(1).asText()};
        }
        String s = merge.asText();
        int space = s.indexOf(' ');
        require(src, merge.isTextual() && space > 0 && space == s.lastIndexOf(' '), "bad merge " + merge);
        return new String[] {s.substring(0, space), s.substring(space + 1)};
    }

    /** Returns whether a dummy prefix is added; refuses any normalization the SentencePiece encoder would not do. */
    private static boolean readNormalization(String src, JsonNode root) {
        JsonNode normalizer = root.path("normalizer");
        JsonNode pre = root.path("pre_tokenizer");
        if (normalizer.isMissingNode() || normalizer.isNull()) {
            require(src, "Metaspace".equals(pre.path("type").asText()) && SPACE_SYMBOL.equals(pre.path("replacement").asText())
                            && !pre.path("split").asBoolean(true) && !"never".equals(pre.path("prepend_scheme").asText()),
                    "without a normalizer, expected pre_tokenizer Metaspace(replacement '▁', split false)");
            return true;
        }
        require(src, pre.isMissingNode() || pre.isNull(), "pre_tokenizer " + pre.path("type").asText() + " is not supported");
        List<JsonNode> steps = new ArrayList<>();
        if ("Sequence".equals(normalizer.path("type").asText())) {
            normalizer.path("normalizers").forEach(steps::add);
        } else {
            steps.add(normalizer);
        }
        boolean prepend = false;
        boolean replace = false;
        for (JsonNode step : steps) {
            String type = step.path("type").asText();
            if (type.equals("Prepend") && SPACE_SYMBOL.equals(step.path("prepend").asText()) && !replace && !prepend) {
                prepend = true;
            } else if (type.equals("Replace") && " ".equals(step.path("pattern").path("String").asText(null))
                    && SPACE_SYMBOL.equals(step.path("content").asText()) && !replace) {
                replace = true;
            } else {
                throw new BadInputException(src + ": normalizer step " + step + " is not supported");
            }
        }
        require(src, replace, "normalizer does not replace ' ' with '▁'");
        return prepend;
    }

    private static void require(String src, boolean ok, String what) {
        if (!ok) {
            throw new BadInputException(src + ": " + what);
        }
    }
}
