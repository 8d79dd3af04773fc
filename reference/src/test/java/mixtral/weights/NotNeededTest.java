package mixtral.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import mixtral.model.TinyConfigs;
import mixtral.testing.TargetTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A streamed checkpoint told that no token chose an expert drops exactly that expert's three weights from its
 * direct reads, and still serves them, from the mapped file, if they are asked for after all.
 */
class NotNeededTest {
    @TempDir(factory = TargetTempDir.class)     // not tmpfs, which refuses O_DIRECT
    Path dir;

    @Test
    void exactlyTheExpertsThreeWeightsAreDropped() {
        RandomWeights w = new RandomWeights(TinyConfigs.gqa(), 5);
        new CheckpointWriter(Layout.HUGGING_FACE).write(w, dir);     // float32: values compare exactly
        try (Checkpoint c = Checkpoint.open(dir).readAheadMode(ReadAheadMode.DIRECT)) {
            c.readAhead(0);
            DirectReads d = c.direct();
            c.notNeeded(0, 1);
            assertEquals(3, d.dropped(), "w1, w3 and w2 of expert 1, one piece each");
            c.notNeeded(0, 1);
            assertEquals(3, d.dropped(), "nothing more to drop");
            assertEquals(w.w1(0, 0), c.w1(0, 0));
            assertEquals(1, d.served(), "expert 0 from the direct reads");
            INDArray late = c.w3(0, 1);
            assertEquals(w.w3(0, 1), late);
            assertEquals(1, d.served(), "expert 1, asked for after all, from the mapped file");
            assertEquals(w.w1(0, 2), c.w1(0, 2));
            assertEquals(2, d.served(), "expert 2 from the direct reads: it was not dropped");
            assertEquals(0, d.fromMapping());
        }
    }
}
