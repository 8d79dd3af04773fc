package mixtral.bench;

import java.util.function.Supplier;
import mixtral.model.KvCache;
import mixtral.model.MixtralModel;
import mixtral.trace.Recorder;
import mixtral.trace.TraceRecorder;

/** Times this project's model on the figures, with each way of recording. */
final class ModelBench {
    /** What the forward pass records: nothing, the routing decisions, or every tensor but attention probabilities. */
    enum Recording {
        OFF(() -> Recorder.NONE), ROUTING(TraceRecorder::routing), ALL(() -> TraceRecorder.all(false));

        private final Supplier<Recorder> recorder;

        Recording(Supplier<Recorder> recorder) {
            this.recorder = recorder;
        }

        /** A fresh recorder per forward pass, as a user keeping each pass's trace would have. */
        Recorder newRecorder() {
            return recorder.get();
        }
    }

    private final MixtralModel model;
    private final int warmup;
    private final int reps;

    ModelBench(MixtralModel model, int warmup, int reps) {
        this.model = model;
        this.warmup = warmup;
        this.reps = reps;
    }

    /** Prefill: the whole prompt in one forward pass from an empty cache; one time per repetition. */
    Timing prefill(long[] tokens, Recording recording) {
        for (int i = 0; i < warmup; i++) {
            model.forward(tokens, recording.newRecorder());
        }
        double[] ms = new double[reps];
        try (MemoryPeak memory = new MemoryPeak()) {
            for (int i = 0; i < reps; i++) {
                Recorder rec = recording.newRecorder();
                long start = System.nanoTime();
                model.forward(tokens, rec);
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
            memory.close();
            return Timing.of(ms, memory.peak());
        }
    }

    /** Decode: the prompt once, then each token alone with the KV cache; one time per token. */
    Timing decode(long[] prompt, long[] tokens, Recording recording) {
        runDecode(prompt, java.util.Arrays.copyOf(tokens, Math.min(2, tokens.length)), recording);   // warm-up
        try (MemoryPeak memory = new MemoryPeak()) {
            double[] ms = runDecode(prompt, tokens, recording);
            memory.close();
            return Timing.of(ms, memory.peak());
        }
    }

    private double[] runDecode(long[] prompt, long[] tokens, Recording recording) {
        KvCache cache = model.newCache();
        model.forward(prompt, cache, Recorder.NONE);
        double[] ms = new double[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            Recorder rec = recording.newRecorder();
            long start = System.nanoTime();
            model.forward(new long[] {tokens[i]}, cache, rec);
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        return ms;
    }
}
