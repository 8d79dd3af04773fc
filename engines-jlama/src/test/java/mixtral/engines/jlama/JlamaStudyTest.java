package mixtral.engines.jlama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tjake.jlama.model.JlamaTap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import mixtral.compare.Report;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stock Jlama on the demo model's golden prompts, against the reference with Jlama's routing replayed: per precision
 * and path, the logits' KL and top-1 agreement, the share of (layer, token) routed to the reference's expert set and
 * the wrong decisions, written to target/jlama-study.md for docs/engines.md.
 */
class JlamaStudyTest {
    @BeforeEach
    void jdkHasTheVectorApi() {
        JlamaRuntime.require();
    }

    @Test
    void stockJlamaOnTheDemoModelsPrompts() throws IOException {
        StringBuilder s = new StringBuilder("| Jlama | tokens | KL mean (nats) | KL max | top-1 agreement | same expert set "
                + "| wrong decisions | first divergence (every prompt) |\n|---|---|---|---|---|---|---|---|\n");
        for (JlamaEngine.Precision p : JlamaEngine.Precision.values()) {
            for (JlamaTap.Path path : JlamaTap.Path.values()) {
                int tokens = 0;
                double kl = 0;
                double klMax = 0;
                double top1 = 0;
                int same = 0;
                int routed = 0;
                int wrong = 0;
                java.util.Set<String> first = new java.util.TreeSet<>();
                for (GoldenCases c : GoldenCases.trained()) {
                    Report r = JlamaFaithfulnessTest.compare(c, JlamaEngine.trace(c.modelDir(), c.tokens(), p, path));
                    Report.LogitsDiff d = r.logits();
                    tokens += d.tokens();
                    kl += d.meanKl() * d.tokens();
                    klMax = Math.max(klMax, d.maxKl());
                    top1 += d.top1Agreement() * d.tokens();
                    for (Report.LayerRouting lr : r.routing()) {
                        same += lr.sameExperts();
                        routed += lr.tokens();
                    }
                    wrong += r.wrongDecisions().size();
                    first.add(r.first() == null ? "none" : r.first().tensor());
                }
                assertEquals(154, tokens);
                s.append(String.format(Locale.ROOT, "| %s %s | %d | %.2e | %.2e | %.1f%% | %.1f%% (%d / %d) | %d | %s |%n",
                        p, JlamaEngine.pathName(path), tokens, kl / tokens, klMax, 100 * top1 / tokens,
                        100.0 * same / routed, same, routed, wrong, String.join(", ", first)));
            }
        }
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "jlama-study.md"), s);
        assertTrue(s.length() > 0);
    }
}
