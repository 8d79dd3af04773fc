package mixtral.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Supplier;
import mixtral.config.MixtralConfig;
import mixtral.model.MixtralModel;
import mixtral.model.TinyConfigs;
import mixtral.weights.RandomWeights;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What a recorder says it will keep, before the pass, is what it keeps; a pattern that names nothing is found. */
class TraceRecorderTest {
    private static final MixtralConfig CONFIG = TinyConfigs.gqa();
    private static final MixtralModel MODEL = MixtralModel.load(new RandomWeights(CONFIG, 3));

    @Test
    void theSizeForeseenIsTheSizeRecorded() {
        long[] tokens = {1, 7, 3, 9, 4};
        List<Supplier<TraceRecorder>> recorders = List.of(() -> TraceRecorder.all(true), () -> TraceRecorder.all(false),
                TraceRecorder::routing, () -> TraceRecorder.matching(List.of("layers.1.*", "logits"), false),
                () -> TraceRecorder.matching(List.of("layers.0.attn.probs"), false));
        for (Supplier<TraceRecorder> make : recorders) {
            TraceRecorder rec = make.get();
            TraceRecorder.Size foreseen = rec.size(CONFIG, tokens.length);
            MODEL.forward(tokens, rec);
            long bytes = 0;
            long largest = 0;
            for (INDArray a : rec.tensors().values()) {
                long b = a.length() * (a.dataType().isIntType() ? 8 : 4);
                bytes += b;
                largest = Math.max(largest, b);
            }
            assertEquals(new TraceRecorder.Size(bytes, largest), foreseen, rec.tensors().keySet().toString());
        }
    }

    @Test
    void patternsThatNameNoTensorAreFound() {
        assertEquals(List.of("layers.2.*", "logit", "all"), TraceRecorder.unmatched(
                List.of("layers.1.moe.*", "layers.2.*", "logit", "logits", "*.attn.probs", "all"), CONFIG));
    }
}
