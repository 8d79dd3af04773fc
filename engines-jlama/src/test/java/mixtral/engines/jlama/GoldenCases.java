package mixtral.engines.jlama;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import mixtral.config.ConfigReader;
import mixtral.demo.DemoModel;
import mixtral.testing.GoldenCaseFolders;

/**
 * The golden cases (golden/cases, see golden/README.md) Jlama can read: each random case's Hugging Face-layout
 * checkpoint (written by the published code; Jlama has no reader for the Mistral-native layout), within its sliding
 * window, and the demo model with each trained case's prompt.
 *
 * @param name     e.g. {@code moe8_top2_gqa} or {@code trained/en}
 * @param modelDir the checkpoint folder
 * @param tokens   the case's prompt
 */
record GoldenCases(String name, Path modelDir, long[] tokens) {
    static final Path CASES = Path.of("..", "golden", "cases");
    private static final String REMEDY = "they are committed under golden/cases";

    static List<GoldenCases> random() {
        List<GoldenCases> out = new ArrayList<>();
        for (Path dir : GoldenCaseFolders.under(CASES, REMEDY)) {
            Integer window = ConfigReader.readFolder(dir).slidingWindow();
            long[] t = GoldenCaseFolders.tokens(dir);
            out.add(new GoldenCases(dir.getFileName().toString(), dir,
                    window == null ? t : Arrays.copyOf(t, Math.min(t.length, window))));
        }
        return out;
    }

    static List<GoldenCases> trained() {
        return demoPrompts(CASES.resolve("trained"));
    }

    /** The demo model with the tokens of each case folder under {@code folder}, named {@code <folder>/<case>}. */
    static List<GoldenCases> demoPrompts(Path folder) {
        List<GoldenCases> out = new ArrayList<>();
        for (Path dir : GoldenCaseFolders.under(folder, REMEDY)) {
            out.add(new GoldenCases(folder.getFileName() + "/" + dir.getFileName(), DemoModel.folder(),
                    GoldenCaseFolders.tokens(dir)));
        }
        return out;
    }

    static GoldenCases named(String name) {
        return Stream.concat(random().stream(), trained().stream()).filter(c -> c.name.equals(name)).findFirst()
                .orElseThrow();
    }

    @Override
    public String toString() {
        return name;
    }
}
