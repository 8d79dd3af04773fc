package mixtral.engines.llamacpp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import mixtral.demo.DemoModel;
import mixtral.testing.GoldenCaseFolders;

/**
 * The golden cases (golden/cases, see golden/README.md) as the engine tests use them: each random case's checkpoint in
 * both layouts, and the demo model with each trained case's prompt.
 *
 * @param name     e.g. {@code moe8_top2_gqa [mistral]} or {@code trained/en}
 * @param modelDir the checkpoint folder
 * @param tokens   the case's prompt
 */
record GoldenCases(String name, Path modelDir, long[] tokens) {
    static final Path CASES = Path.of("..", "golden", "cases");
    private static final String REMEDY = "they are committed under golden/cases";

    static List<GoldenCases> all() {
        List<GoldenCases> out = new ArrayList<>();
        for (Path dir : GoldenCaseFolders.under(CASES, REMEDY)) {
            long[] tokens = GoldenCaseFolders.tokens(dir);
            out.add(new GoldenCases(dir.getFileName() + " [hf]", dir, tokens));
            if (Files.isDirectory(dir.resolve("mistral"))) {
                out.add(new GoldenCases(dir.getFileName() + " [mistral]", dir.resolve("mistral"), tokens));
            }
        }
        for (Path dir : GoldenCaseFolders.under(CASES.resolve("trained"), REMEDY)) {
            out.add(new GoldenCases("trained/" + dir.getFileName(), DemoModel.folder(),
                    GoldenCaseFolders.tokens(dir)));
        }
        return out;
    }

    static List<GoldenCases> trained() {
        return all().stream().filter(c -> c.name.startsWith("trained/")).toList();
    }

    static GoldenCases named(String name) {
        return all().stream().filter(c -> c.name.equals(name)).findFirst().orElseThrow();
    }

    /** The prompt's text, for the cases made from text (the demo model's). */
    Optional<String> text() {
        Path json = (name.startsWith("trained/") ? CASES.resolve(name) : modelDir).resolve("case.json");
        try {
            JsonNode t = new ObjectMapper()
                    .readTree(json.toFile()).get("text");
            return Optional.ofNullable(t).map(JsonNode::asText);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
