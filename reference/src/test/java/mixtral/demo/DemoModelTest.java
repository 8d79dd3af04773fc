package mixtral.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.DType;
import mixtral.tokenizer.Tokenizer;
import mixtral.weights.Checkpoint;
import org.junit.jupiter.api.Test;

class DemoModelTest {
    @Test
    void theDemoModelIsASmallBf16MixtralWhoseTokenizerFitsItsVocabulary() throws Exception {
        try (Checkpoint c = Checkpoint.open(DemoModel.folder())) {
            MixtralConfig config = c.config();
            assertEquals(6, config.numHiddenLayers());
            assertEquals(8, config.numLocalExperts());
            assertEquals(2, config.numExpertsPerTok());
            Tokenizer t = Tokenizer.findInModelFolder(DemoModel.folder());
            assertEquals(config.vocabSize(), t.vocabSize(), "the tokenizer's ids must all have an embedding row");
            assertEquals(DType.BF16, c.tensorInfo("model.embed_tokens.weight").dtype(), "stored like the published checkpoints");
        }
        long bytes = Files.size(DemoModel.folder().resolve("model.safetensors"));
        assertTrue(bytes < 4_000_000, "a few MB at most in the repository, is " + bytes);
    }
}
