package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import mixtral.safetensors.DType;
import mixtral.trace.Recorder;
import mixtral.weights.Checkpoint;
import mixtral.weights.CheckpointWriter;
import mixtral.weights.Layout;
import mixtral.weights.RandomWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class LayoutEquivalenceTest {
    private static final long[] PROMPT = {1, 7, 3, 44, 21, 9};

    private static INDArray logits(Path dir) {
        try (Checkpoint c = Checkpoint.open(dir)) {
            return MixtralModel.load(c).forward(PROMPT, Recorder.NONE);
        }
    }

    @Test
    void theSameWeightsInHuggingFaceAndMistralLayoutGiveIdenticalOutputs(@TempDir Path dir) {
        RandomWeights w = new RandomWeights(TinyConfigs.gqa(), 17);
        new CheckpointWriter(Layout.HUGGING_FACE).write(w, dir.resolve("hf"));
        new CheckpointWriter(Layout.MISTRAL).write(w, dir.resolve("mistral"));
        new CheckpointWriter(Layout.HUGGING_FACE).shards(3).write(w, dir.resolve("sharded"));
        INDArray hf = logits(dir.resolve("hf"));
        assertEquals(0, hf.sub(logits(dir.resolve("mistral"))).amaxNumber().doubleValue(), 0);
        assertEquals(0, hf.sub(logits(dir.resolve("sharded"))).amaxNumber().doubleValue(), 0);
        assertEquals(0, hf.sub(MixtralModel.load(w).forward(PROMPT, Recorder.NONE)).amaxNumber().doubleValue(), 0);
    }

    @Test
    void bf16CheckpointRunsOnTheRoundedWeights(@TempDir Path dir) {
        RandomWeights w = new RandomWeights(TinyConfigs.gqa(), 17);
        new CheckpointWriter(Layout.HUGGING_FACE).dtype(DType.BF16).write(w, dir.resolve("bf16"));
        new CheckpointWriter(Layout.MISTRAL).dtype(DType.BF16).write(w, dir.resolve("bf16m"));
        INDArray a = logits(dir.resolve("bf16"));
        assertEquals(0, a.sub(logits(dir.resolve("bf16m"))).amaxNumber().doubleValue(), 0);
        double drift = a.sub(MixtralModel.load(w).forward(PROMPT, Recorder.NONE)).amaxNumber().doubleValue();
        assertEquals(true, drift > 0 && drift < 0.5, "bf16 rounding moves logits a little: " + drift);
    }
}
