package mixtral.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every corpus line encodes to sentencepiece's ids and decodes to sentencepiece's text (golden/tokenizer). */
class TokenizerGoldenTest {
    @Test
    void mixtralEncodesAndDecodesTheCorpusLikeSentencepiece() {
        check(Tokenizer.load(TokenizerFiles.mixtralModel()), "mixtral-ids.jsonl");
    }

    @Test
    void demoTokenizerEncodesAndDecodesTheCorpusLikeSentencepiece() {
        check(Tokenizer.load(TokenizerFiles.demoTokenizer()), "demo-ids.jsonl");
    }

    static void check(Tokenizer tokenizer, String goldenFile) {
        List<String> corpus = TokenizerFiles.corpus();
        List<JsonNode> golden = TokenizerFiles.jsonLines(TokenizerFiles.goldenDir().resolve(goldenFile));
        assertEquals(corpus.size(), golden.size(), goldenFile + " and corpus.jsonl differ in length: regenerate");
        assertTrue(corpus.size() >= 500, "corpus has only " + corpus.size() + " lines");
        List<String> failures = new ArrayList<>();
        for (int line = 0; line < corpus.size(); line++) {
            int[] expected = TokenizerFiles.ints(golden.get(line).get("ids"));
            int[] actual = tokenizer.encode(corpus.get(line));
            if (!Arrays.equals(expected, actual)) {
                failures.add(divergence(tokenizer, line, expected, actual));
            }
            String expectedText = golden.get(line).get("text").asText();
            String decoded = tokenizer.decode(expected);
            if (!expectedText.equals(decoded)) {
                failures.add("line " + (line + 1) + ": decodes to " + quote(decoded)
                        + ", sentencepiece gives " + quote(expectedText));
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + corpus.size() + " lines differ from " + goldenFile + "; first:\n"
                    + String.join("\n", failures.subList(0, Math.min(5, failures.size()))));
        }
    }

    /** Where two id sequences first part, with the pieces around it. */
    static String divergence(Tokenizer t, int line, int[] expected, int[] actual) {
        int i = Arrays.mismatch(expected, actual);
        return "line " + (line + 1) + ", token " + i + ": expected " + pieces(t, expected, i) + ", got " + pieces(t, actual, i);
    }

    private static String pieces(Tokenizer t, int[] ids, int at) {
        StringBuilder sb = new StringBuilder("[");
        for (int k = Math.max(0, at - 2); k < Math.min(ids.length, at + 4); k++) {
            sb.append(k == at ? ">" : "").append(ids[k]).append(':').append(quote(t.piece(ids[k]))).append(' ');
        }
        return sb.append(at + 4 < ids.length ? "...]" : "]").toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }
}
