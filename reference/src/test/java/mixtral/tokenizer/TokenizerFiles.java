package mixtral.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mixtral.testing.Prerequisites;

/** Where the tests find the corpus, the golden files and the Mixtral tokenizer (which the repository does not hold). */
final class TokenizerFiles {
    static final String ENV = "MIXTRAL_TOKENIZER";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerFiles() {
    }

    /** The checkout's root: the nearest folder above the working directory that holds golden/tokenizer. */
    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("golden/tokenizer"))) {
                return p;
            }
        }
        throw new IllegalStateException("no golden/tokenizer folder above " + Path.of("").toAbsolutePath());
    }

    static Path goldenDir() {
        return repoRoot().resolve("golden/tokenizer");
    }

    /**
     * The demo model's tokenizer as {@code trained-model/train_tokenizer.py} wrote it (4,000 pieces). The demo model
     * ships a byte-identical copy, replaced together with its weights; golden's GoldenTest checks the two agree.
     */
    static Path demoTokenizer() {
        return repoRoot().resolve("trained-model/tokenizer.model");
    }

    /**
     * The Mixtral tokenizer.model: $MIXTRAL_TOKENIZER, else ../shared/tokenizers/ beside the checkout. Missing, the
     * calling test fails under CI=true (CI must run it) and is skipped, with the reason, elsewhere.
     */
    static Path mixtralModel() {
        String env = System.getenv(ENV);
        Path path = env != null && !env.isBlank()
                ? Path.of(env)
                : repoRoot().resolve("../shared/tokenizers/mistral-7b-v0.1-tokenizer.model").normalize();
        Prerequisites.require(Files.isRegularFile(path), "Mixtral tokenizer not found at " + path + " (set " + ENV
                + " to a tokenizer.model, or put mistral-7b-v0.1-tokenizer.model in ../shared/tokenizers/ beside the "
                + "checkout)");
        return path;
    }

    /** Corpus lines; split on '\n' only, as lines may hold raw U+2028 and U+0085. */
    static List<String> corpus() {
        List<String> lines = new ArrayList<>();
        for (JsonNode n : jsonLines(goldenDir().resolve("corpus.jsonl"))) {
            lines.add(n.asText());
        }
        return lines;
    }

    static List<JsonNode> jsonLines(Path file) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readString(file, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty()) {
                    out.add(JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] a = new int[array.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = array.get(i).asInt();
        }
        return a;
    }
}
