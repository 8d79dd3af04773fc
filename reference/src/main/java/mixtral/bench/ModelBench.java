package mixtral.bench;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import mixtral.model.KvCache;
import mixtral.model.MixtralModel;
import mixtral.trace.Recorder;
import mixtral.trace.TraceRecorder;

/**
 * Times this project's model on one figure with each way of recording. The recordings take turns run by run, so
 * that other work on the machine slows each of them alike and their differences stay meaningful.
 */
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
    Map<Recording, Timing> prefill(long[] tokens) {
        Runs runs = new Runs(reps);
        for (int i = 0; i < warmup + reps; i++) {
            for (Recording r : Recording.values()) {
                Recorder rec = r.newRecorder();
                runs.time(r, i - warmup, () -> model.forward(tokens, rec));
            }
        }
        return runs.timings();
    }

    /** Decode: the prompt once per recording, then each token alone with the KV cache; one time per token. */
    Map<Recording, Timing> decode(long[] prompt, long[] tokens) {
        Map<Recording, KvCache> caches = new EnumMap<>(Recording.class);
        for (Recording r : Recording.values()) {
            caches.put(r, model.newCache());
            model.forward(prompt, caches.get(r), Recorder.NONE);
        }
        Runs runs = new Runs(tokens.length - warmup);
        for (int i = 0; i < tokens.length; i++) {
            long[] token = {tokens[i]};
            for (Recording r : Recording.values()) {
                Recorder rec = r.newRecorder();
                runs.time(r, i - warmup, () -> model.forward(token, caches.get(r), rec));
            }
        }
        return runs.timings();
    }

    /** Times and memory peaks per recording; runs with a negative index are warm-up and not kept. */
    private static final class Runs {
        private final Map<Recording, double[]> ms = new EnumMap<>(Recording.class);
        private final Map<Recording, MemoryPeak> memory = new EnumMap<>(Recording.class);

        Runs(int n) {
            for (Recording r : Recording.values()) {
                ms.put(r, new double[n]);
                memory.put(r, new MemoryPeak());
            }
        }

        void time(Recording r, int index, Runnable run) {
            if (index < 0) {
                run.run();
                return;
            }
            memory.get(r).during(() -> {
                long start = System.nanoTime();
                run.run();
                ms.get(r)[index] = (System.nanoTime() - start) / 1e6;
            });
        }

        Map<Recording, Timing> timings() {
            Map<Recording, Timing> out = new EnumMap<>(Recording.class);
            ms.forEach((r, times) -> out.put(r, Timing.of(times, memory.get(r).peak())));
            return out;
        }
    }
}
