package mixtral.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import mixtral.config.MixtralConfig;
import mixtral.evidence.Sha256;
import mixtral.safetensors.DType;
import mixtral.tokenizer.Tokenizer;
import mixtral.weights.Checkpoint;
import org.junit.jupiter.api.Test;

class DemoModelTest {
    @Test
    void theDemoModelIsTheTrainedBf16MixtralWhoseTokenizerFitsItsVocabulary() throws Exception {
        try (Checkpoint c = Checkpoint.open(DemoModel.folder())) {
            MixtralConfig config = c.config();
            assertEquals(6, config.numHiddenLayers());
            assertEquals(192, config.hiddenSize());
            assertEquals(8, config.numLocalExperts());
            assertEquals(2, config.numExpertsPerTok());
            assertEquals(2, config.numKeyValueHeads(), "grouped-query attention, as in Mixtral");
            Tokenizer t = Tokenizer.findInModelFolder(DemoModel.folder());
            assertEquals(config.vocabSize(), t.vocabSize(), "the tokenizer's ids must all have an embedding row");
            assertEquals(DType.BF16, c.tensorInfo("model.embed_tokens.weight").dtype(), "stored like the published checkpoints");
        }
        long bytes = Files.size(DemoModel.folder().resolve("model.safetensors"));
        assertTrue(bytes < 25_000_000, "at most about 25 MB in the repository, is " + bytes);
    }

    @Test
    void theEmbeddedWeightsAndTokenizerAreTheOnesTheDocumentedTrainingRunWrote() throws Exception {
        // docs/trained-model/run.json is what trained-model/train.py wrote at the end of the run the docs describe.
        Path run = Path.of("..", "docs", "trained-model", "run.json");
        var json = new ObjectMapper().readTree(run.toFile());
        assertEquals(json.get("model_sha256").asText(), Sha256.of(DemoModel.folder().resolve("model.safetensors")),
                "the demo model's weights are not those of the documented run: copy that run's model.safetensors");
        assertEquals(Sha256.of(Path.of("..", "trained-model", "tokenizer.model")),
                Sha256.of(DemoModel.folder().resolve("tokenizer.model")), "the demo model's tokenizer is trained-model/tokenizer.model");
    }
}
