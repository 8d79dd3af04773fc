package mixtral.engines.jlama;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tjake.jlama.model.JlamaTap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mixtral.compare.Report;
import mixtral.compare.Tolerances;
import mixtral.compare.TraceComparison;
import mixtral.engines.llamacpp.QuantizationStudy;
import mixtral.model.MixtralModel;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.Checkpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stock Jlama on the demo model's prompts, against the reference with Jlama's routing replayed: per precision and
 * path, the logits' KL and top-1 agreement, per layer the share of tokens routed to the reference's expert set, flips
 * by the reference's router margin and each prompt's first divergence, the tables of llama.cpp's study
 * ({@link QuantizationStudy}), written to target/jlama-study-NAME.md for docs/engines.md. The prompts are the golden
 * cases' ({@code golden/cases/trained}) unless {@code -Dmixtral.jlama.study.cases=DIR} names another folder of case
 * folders (each with a golden.safetensors holding its tokens), such as the held-out sample of docs/engines.md.
 */
class JlamaStudyTest {
    @BeforeEach
    void jdkHasTheVectorApi() {
        JlamaRuntime.require();
    }

    @Test
    void stockJlamaOnTheDemoModelsPrompts() throws IOException {
        String property = System.getProperty("mixtral.jlama.study.cases");
        Path folder = property == null ? GoldenCases.CASES.resolve("trained") : Path.of(property);
        List<GoldenCases> cases = GoldenCases.demoPrompts(folder);
        List<QuantizationStudy.Run> runs = new ArrayList<>();
        int tokens = 0;
        for (GoldenCases c : cases) {
            tokens += c.tokens().length;
            try (Checkpoint checkpoint = Checkpoint.open(c.modelDir())) {
                MixtralModel model = MixtralModel.load(checkpoint);
                TraceRecorder rec = TraceRecorder.all(false);
                model.forward(c.tokens(), rec);
                Trace reference = rec.toTrace(model.config());
                double[] margins = QuantizationStudy.margins(reference, model.config(), c.tokens().length);
                for (JlamaEngine.Precision p : JlamaEngine.Precision.values()) {
                    for (JlamaTap.Path path : JlamaTap.Path.values()) {
                        Trace jlama = JlamaEngine.trace(c.modelDir(), c.tokens(), p, path);
                        Report r = TraceComparison.compare(reference, jlama, Tolerances.DEFAULT,
                                new TraceComparison.Options(JlamaFaithfulnessTest.REQUIRED, model));
                        runs.add(new QuantizationStudy.Run(c.name(), p + " " + JlamaEngine.pathName(path), r, margins));
                    }
                }
            }
        }
        int layers = runs.get(0).report().routing().size();
        String md = QuantizationStudy.markdown(runs, layers, "Jlama", "Jlama");
        int counted = runs.stream().filter(r -> r.setting().equals(runs.get(0).setting()))
                .mapToInt(r -> r.report().logits().tokens()).sum();
        assertEquals(tokens, counted, "every prompt's logits compared");
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "jlama-study-" + folder.getFileName() + ".md"), md);
        System.out.print(md);
    }
}
