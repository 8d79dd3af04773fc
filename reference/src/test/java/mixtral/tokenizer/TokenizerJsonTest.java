package mixtral.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mixtral.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer.json reader gives the same ids as the .model. No real Mixtral tokenizer.json is at hand, so the test
 * writes one from the .model the way Hugging Face's converter does (same layout, merges ordered by the score of the
 * piece they make) and encodes the whole golden corpus with both.
 */
class TokenizerJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void mixtralTokenizerJsonEncodesTheCorpusLikeTheModelFile() throws IOException {
        Tokenizer fromModel = Tokenizer.load(TokenizerFiles.mixtralModel());
        assertSameIdsOnCorpus(fromModel, Tokenizer.load(writeTokenizerJson(fromModel.model(), dir.resolve("tokenizer.json"))));
    }

    @Test
    void demoTokenizerJsonEncodesTheCorpusLikeTheModelFile() throws IOException {
        Tokenizer fromModel = Tokenizer.demo();
        Tokenizer fromJson = Tokenizer.load(writeTokenizerJson(fromModel.model(), dir.resolve("tokenizer.json")));
        assertEquals(fromModel.vocabSize(), fromJson.vocabSize());
        assertEquals(fromModel.bosId(), fromJson.bosId());
        assertEquals(fromModel.eosId(), fromJson.eosId());
        assertSameIdsOnCorpus(fromModel, fromJson);
    }

    @Test
    void metaspacePreTokenizerLayoutIsAcceptedToo() throws IOException {
        Tokenizer fromModel = Tokenizer.demo();
        Path file = writeTokenizerJson(fromModel.model(), dir.resolve("tokenizer.json"));
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "\u2581")
                .put("prepend_scheme", "first").put("split", false);
        JSON.writeValue(file.toFile(), root);
        String text = "Grüße aus München, à bientôt 😀";
        assertArrayEquals(fromModel.encode(text), Tokenizer.load(file).encode(text));
    }

    @Test
    void unsupportedNormalizerIsRefusedByName() throws IOException {
        Path file = writeTokenizerJson(Tokenizer.demo().model(), dir.resolve("tokenizer.json"));
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        root.putObject("normalizer").put("type", "NFKC");
        JSON.writeValue(file.toFile(), root);
        BadInputException e = assertThrows(BadInputException.class, () -> Tokenizer.load(file));
        assertTrue(e.getMessage().startsWith(file + ": normalizer step {\"type\":\"NFKC\"} is not supported"), e.getMessage());
    }

    @Test
    void modelFolderPrefersTokenizerModelThenTokenizerJson() throws IOException {
        BadInputException e = assertThrows(BadInputException.class, () -> Tokenizer.findInModelFolder(dir));
        assertEquals(dir + ": no tokenizer found (looked for tokenizer.model and tokenizer.json)", e.getMessage());
        writeTokenizerJson(Tokenizer.demo().model(), dir.resolve("tokenizer.json"));
        assertTrue(Tokenizer.findInModelFolder(dir).model().source().endsWith("tokenizer.json"));
        try (var in = Tokenizer.class.getResourceAsStream("/demo-model/tokenizer.model")) {
            Files.copy(in, dir.resolve("tokenizer.model"));
        }
        assertTrue(Tokenizer.findInModelFolder(dir).model().source().endsWith("tokenizer.model"));
    }

    private static void assertSameIdsOnCorpus(Tokenizer expected, Tokenizer actual) {
        List<String> corpus = TokenizerFiles.corpus();
        for (int line = 0; line < corpus.size(); line++) {
            int[] e = expected.encode(corpus.get(line));
            int[] a = actual.encode(corpus.get(line));
            int at = line;
            assertArrayEquals(e, a, () -> "tokenizer.json differs from .model: "
                    + TokenizerGoldenTest.divergence(expected, at, e, a));
        }
    }

    /** A tokenizer.json in the layout of Mixtral's published one, converted from a .model as Hugging Face does. */
    static Path writeTokenizerJson(TokenizerModel m, Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0").putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        Map<String, Integer> vocab = new HashMap<>();
        for (int id = 0; id < m.size(); id++) {
            vocab.put(m.pieces().get(id), id);
            if (m.types()[id] == PieceType.CONTROL || m.types()[id] == PieceType.UNKNOWN) {
                added.addObject().put("id", id).put("content", m.pieces().get(id)).put("single_word", false)
                        .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
            }
        }
        ArrayNode normalizers = root.putObject("normalizer").put("type", "Sequence").putArray("normalizers");
        normalizers.addObject().put("type", "Prepend").put("prepend", "\u2581");
        ObjectNode replace = normalizers.addObject().put("type", "Replace");
        replace.putObject("pattern").put("String", " ");
        replace.put("content", "\u2581");
        root.putNull("pre_tokenizer");
        ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
        post.putArray("single").addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        ((ArrayNode) post.get("single")).addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        post.putObject("special_tokens").putObject("<s>").put("id", "<s>").putArray("ids").add(1);
        ArrayNode decoders = root.putObject("decoder").put("type", "Sequence").putArray("decoders");
        ObjectNode dr = decoders.addObject().put("type", "Replace");
        dr.putObject("pattern").put("String", "\u2581");
        dr.put("content", " ");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        ObjectNode model = root.putObject("model").put("type", "BPE").putNull("dropout");
        model.put("unk_token", "<unk>").putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", true).put("byte_fallback", m.byteFallback());
        ObjectNode v = model.putObject("vocab");
        for (int id = 0; id < m.size(); id++) {
            v.put(m.pieces().get(id), id);
        }
        ArrayNode merges = model.putArray("merges");
        for (String[] pair : converterMerges(m, vocab)) {
            merges.add(pair[0] + " " + pair[1]);
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
        return file;
    }

    /**
     * Hugging Face's SentencePieceExtractor: every split of every piece into two pieces, ordered by the piece's score
     * (best first, stable), splits of one piece by the ids of their halves. Splits are at code point boundaries.
     */
    private static List<String[]> converterMerges(TokenizerModel m, Map<String, Integer> vocab) {
        record Merge(String left, String right, float score) { }
        List<Merge> all = new ArrayList<>();
        for (int id = 0; id < m.size(); id++) {
            String piece = m.pieces().get(id);
            List<Merge> local = new ArrayList<>();
            for (int i = piece.offsetByCodePoints(0, 1); i < piece.length(); i = piece.offsetByCodePoints(i, 1)) {
                String l = piece.substring(0, i);
                String r = piece.substring(i);
                if (vocab.containsKey(l) && vocab.containsKey(r)) {
                    local.add(new Merge(l, r, m.scores()[id]));
                }
            }
            local.sort(Comparator.<Merge>comparingInt(x -> vocab.get(x.left())).thenComparingInt(x -> vocab.get(x.right())));
            all.addAll(local);
        }
        all.sort(Comparator.comparingDouble(x -> -x.score()));
        return all.stream().map(x -> new String[] {x.left(), x.right()}).toList();
    }
}
