package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.DType;
import mixtral.testing.TargetTempDir;
import mixtral.trace.Recorder;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.Checkpoint;
import mixtral.weights.CheckpointWriter;
import mixtral.weights.Layout;
import mixtral.weights.RandomWeights;
import mixtral.weights.ReadAheadMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A model whose memory budget is smaller than one weight computes exactly what the fully loaded model does. */
class StreamingTest {
    private static final long[] PROMPT = {1, 7, 3, 44, 21, 9, 30, 2, 11, 5};   // ids below the tiny vocabulary (50)
    private static final long TINY_BUDGET = 1;     // below any weight: only the weight in use stays converted

    @TempDir(factory = TargetTempDir.class)     // not tmpfs, which refuses O_DIRECT
    static Path dir;
    static MixtralConfig config;

    @BeforeAll
    static void writeABf16ShardedCheckpoint() {
        RandomWeights w = new RandomWeights(TinyConfigs.gqa(), 29);
        config = w.config();
        new CheckpointWriter(Layout.HUGGING_FACE).dtype(DType.BF16).shards(3).write(w, dir);
    }

    private static Trace trace(WeightMemory memory) {
        return trace(memory, ReadAheadMode.AUTO);
    }

    private static Trace trace(WeightMemory memory, ReadAheadMode mode) {
        try (Checkpoint c = Checkpoint.open(dir).readAheadMode(mode)) {
            TraceRecorder rec = TraceRecorder.all(true);
            MixtralModel.load(c, RoutingRule.MIXTRAL, memory).forward(PROMPT, rec);
            assertEquals(memory.isBounded() && mode == ReadAheadMode.DIRECT, c.readsDirect(),
                    mode + ": reads ahead past the page cache only when streaming in DIRECT mode");
            return rec.toTrace(c.config());
        }
    }

    @Test
    void streamingWithABudgetBelowOneWeightRecordsIdenticalTensorsReadingAheadEitherWay() {
        Trace loaded = trace(WeightMemory.unbounded());
        for (ReadAheadMode mode : new ReadAheadMode[] {ReadAheadMode.PAGE_CACHE, ReadAheadMode.DIRECT}) {
            Trace streamed = trace(WeightMemory.bounded(TINY_BUDGET), mode);
            assertEquals(loaded.tensors().keySet(), streamed.tensors().keySet());
            for (String name : loaded.tensors().keySet()) {
                assertEquals(loaded.get(name), streamed.get(name), name + " differs when streamed, " + mode);
            }
        }
    }

    @Test
    void aMistralNativeCheckpointStreamedWithDirectReadsRecordsIdenticalTensors() {
        Path mistral = dir.resolve("mistral-native");
        new CheckpointWriter(Layout.MISTRAL).dtype(DType.BF16).write(new RandomWeights(TinyConfigs.gqa(), 29), mistral);
        Trace[] traces = new Trace[2];
        for (int i = 0; i < 2; i++) {
            try (Checkpoint c = Checkpoint.open(mistral).readAheadMode(ReadAheadMode.DIRECT)) {
                TraceRecorder rec = TraceRecorder.all(true);
                WeightMemory memory = i == 0 ? WeightMemory.unbounded() : WeightMemory.bounded(TINY_BUDGET);
                MixtralModel.load(c, RoutingRule.MIXTRAL, memory).forward(PROMPT, rec);
                assertEquals(i == 1, c.readsDirect());
                traces[i] = rec.toTrace(c.config());
            }
        }
        for (String name : traces[0].tensors().keySet()) {   // q and k rows reordered from the interleaved layout
            assertEquals(traces[0].get(name), traces[1].get(name), name + " differs when streamed");
        }
    }

    @Test
    void aPromptConvertsEachWeightItUsesOnceAndHoldsOneAtATime() {
        try (Checkpoint c = Checkpoint.open(dir)) {
            WeightMemory memory = WeightMemory.bounded(TINY_BUDGET);
            TraceRecorder rec = TraceRecorder.routing();
            MixtralModel.load(c, RoutingRule.MIXTRAL, memory).forward(PROMPT, rec);
            Trace t = rec.toTrace(c.config());
            long expertsUsed = 0;
            for (int l = 0; l < config.numHiddenLayers(); l++) {
                long[][] chosen = t.get("layers." + l + ".moe.selected_experts").toLongMatrix();    // [T, K]
                expertsUsed += Arrays.stream(chosen).flatMapToLong(Arrays::stream).distinct().count();
            }
            long perLayer = 4 + 1;                           // q, k, v, o and the router
            assertEquals(config.numHiddenLayers() * perLayer + 3 * expertsUsed + 1, memory.conversions(),
                    "every weight once, the LM head included, and only the experts some token chose");
            long d = config.hiddenSize();
            long largest = 4L * Math.max(config.vocabSize() * d, config.intermediateSize() * d);
            assertTrue(memory.peakBytes() <= largest, "held " + memory.peakBytes() + " bytes at most, one weight is " + largest);
        }
    }

    @Test
    void aBudgetOfAFewWeightsReusesReleasedMemoryAndComputesTheSame() {
        long expertWeight = 4L * config.intermediateSize() * config.hiddenSize();
        WeightMemory memory = WeightMemory.bounded(2 * expertWeight);
        Trace streamed = trace(memory, ReadAheadMode.DIRECT);
        Trace loaded = trace(WeightMemory.unbounded());
        assertTrue(memory.reused() > 0, "a released weight's memory was converted into " + memory.reused() + " times");
        for (String name : loaded.tensors().keySet()) {
            assertEquals(loaded.get(name), streamed.get(name), name + " differs when weights reuse memory");
        }
    }

    @Test
    void aStreamedForwardPassReadsEachLayerAheadThenTheHead() throws InterruptedException {
        for (ReadAheadMode mode : new ReadAheadMode[] {ReadAheadMode.PAGE_CACHE, ReadAheadMode.DIRECT}) {
            try (Checkpoint c = Checkpoint.open(dir).readAheadMode(mode)) {
                MixtralModel.load(c, RoutingRule.MIXTRAL, WeightMemory.bounded(TINY_BUDGET)).forward(PROMPT, Recorder.NONE);
                int layers = config.numHiddenLayers();
                for (int waited = 0; c.readAheadLog().size() < layers + 1 && waited < 100; waited++) {
                    Thread.sleep(50);          // the last read-ahead may still be running on its own thread
                }
                assertEquals(java.util.stream.IntStream.rangeClosed(0, layers).boxed().toList(),
                        c.readAheadLog().stream().map(s -> s.layer()).toList(), mode + ": layers 0..L-1, then the head");
            }
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            MixtralModel.load(c).forward(PROMPT, Recorder.NONE);
            Thread.sleep(200);
            assertEquals(0, c.readAheadLog().size(), "a model held in memory reads nothing ahead");
        }
    }

    @Test
    void aBudgetThatHoldsTheWholeModelReadsNothingAheadOnceItIsConverted() {
        try (Checkpoint c = Checkpoint.open(dir)) {
            MixtralModel m = MixtralModel.load(c, RoutingRule.MIXTRAL, WeightMemory.bounded(1L << 30));
            m.forward(PROMPT, Recorder.NONE);
            assertEquals(config.numHiddenLayers() + 1, c.readAheads(), "every layer and the head, once");
            m.forward(PROMPT, Recorder.NONE);
            assertEquals(config.numHiddenLayers() + 1, c.readAheads(), "the second pass found every weight held");
        }
    }

    @Test
    void generationWithTheKvCacheIsTheSameStreamed() {
        Generator.Settings greedy = Generator.Settings.greedy(6);
        long[] loaded;
        try (Checkpoint c = Checkpoint.open(dir)) {
            loaded = Generator.generate(MixtralModel.load(c), PROMPT, greedy);
        }
        for (ReadAheadMode mode : new ReadAheadMode[] {ReadAheadMode.PAGE_CACHE, ReadAheadMode.DIRECT}) {
            try (Checkpoint c = Checkpoint.open(dir).readAheadMode(mode)) {   // direct: unchosen experts dropped
                long[] streamed = Generator.generate(
                        MixtralModel.load(c, RoutingRule.MIXTRAL, WeightMemory.bounded(TINY_BUDGET)), PROMPT, greedy);
                assertArrayEquals(loaded, streamed, mode.toString());
            }
        }
    }

    @Test
    void embeddingRowsReadFromTheFileEqualRowsOfTheLoadedTable() {
        try (Checkpoint c = Checkpoint.open(dir)) {
            int[] ids = {5, 0, 5, config.vocabSize() - 1};
            INDArray rows = c.embeddingRows(ids);
            INDArray table = c.embedding();
            for (int i = 0; i < ids.length; i++) {
                assertEquals(table.getRow(ids[i]), rows.getRow(i));
            }
        }
    }

    @Test
    void unboundedMemoryConvertsEverythingAtLoad() {
        try (Checkpoint c = Checkpoint.open(dir)) {
            WeightMemory memory = WeightMemory.unbounded();
            MixtralModel.load(c, RoutingRule.MIXTRAL, memory);
            long before = memory.conversions();
            MixtralModel.load(c, RoutingRule.MIXTRAL, memory).forward(PROMPT, Recorder.NONE);
            assertEquals(2 * before, memory.conversions(), "the forward pass converted nothing more");
        }
    }
}
