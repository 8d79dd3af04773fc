package mixtral.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import mixtral.model.KvCache;
import mixtral.model.MixtralModel;
import mixtral.trace.Recorder;
import mixtral.trace.TraceRecorder;

/**
 * Times this project's model on one figure with each way of recording, and the published code when it is given. They
 * all take turns run by run, so that other work on the machine, and the speed the virtual machine gets from its host
 * (which changes by up to 2x within seconds here), fall on each of them alike and their ratios stay meaningful.
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

    /**
     * Between two turns when the published code takes part: long enough for the OpenBLAS worker threads of the side
     * that just ran to stop spinning (both libraries' pthreads builds spin about 0.1 s after a product) and sleep.
     */
    static final long PAUSE_MS = 250;

    /** A warm-up round in which the JIT compiled for less than this many milliseconds counts as warm. */
    static final long JIT_QUIET_MS = 20;

    /** At most this many warm-up rounds per prefill figure, however busy the JIT stays. */
    static final int MAX_WARMUP = 10;

    private final MixtralModel model;
    private final int warmup;
    private final int reps;
    private final HfBench.Server hf;

    /** {@code hf}: the published code, loaded, to take turns with; null to time this model alone. */
    ModelBench(MixtralModel model, int warmup, int reps, HfBench.Server hf) {
        this.model = model;
        this.warmup = warmup;
        this.reps = reps;
        this.hf = hf;
    }

    /**
     * Prefill: the whole prompt in one forward pass from an empty cache; one time per repetition. Warm-up rounds go on
     * past {@code warmup} while the JIT compiler is still busy (it takes one of the cores it would share with BLAS),
     * up to {@link #MAX_WARMUP} rounds in all.
     */
    Map<Recording, Timing> prefill(Figure f, long[] tokens) throws IOException {
        Runs runs = new Runs(reps);
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long compiled = Long.MAX_VALUE;
        for (int w = 0; w < warmup || w < MAX_WARMUP && compiled > JIT_QUIET_MS; w++) {
            long before = jit.getTotalCompilationTime();
            prefillRound(f, tokens, runs, -1);
            compiled = jit.getTotalCompilationTime() - before;
        }
        for (int i = 0; i < reps; i++) {
            prefillRound(f, tokens, runs, i);
        }
        return runs.timings();
    }

    /**
     * The recordings in the order run {@code index} takes them: each run starts one further along, so that each comes
     * first, second and third equally often and none always runs right after another (a fixed order read routing-only
     * recording at decode as 8 to 10% dearer than none, run after run).
     */
    static List<Recording> inTurn(int index) {
        List<Recording> all = new ArrayList<>(List.of(Recording.values()));
        Collections.rotate(all, -Math.floorMod(index, all.size()));
        return all;
    }

    /** Each recording once, then the published code when it takes part; run {@code index} (negative: warm-up). */
    private void prefillRound(Figure f, long[] tokens, Runs runs, int index) throws IOException {
        for (Recording r : inTurn(index)) {
            Recorder rec = r.newRecorder();
            pause();
            runs.time(r, index, () -> model.forward(tokens, rec));
        }
        if (hf != null) {
            pause();
            hf.prefill(f.name(), tokens, index >= 0);
        }
    }

    /** Decode: the prompt once per recording, then each token alone with the KV cache; one time per token. */
    Map<Recording, Timing> decode(Figure f, long[] prompt, long[] tokens) throws IOException {
        Map<Recording, KvCache> caches = new EnumMap<>(Recording.class);
        for (Recording r : Recording.values()) {
            caches.put(r, model.newCache());
            model.forward(prompt, caches.get(r), Recorder.NONE);
        }
        if (hf != null) {
            hf.decodePrompt(prompt);
        }
        Runs runs = new Runs(tokens.length - warmup);
        for (int i = 0; i < tokens.length; i++) {
            long[] token = {tokens[i]};
            for (Recording r : inTurn(i)) {
                Recorder rec = r.newRecorder();
                pause();
                runs.time(r, i - warmup, () -> model.forward(token, caches.get(r), rec));
            }
            if (hf != null) {
                pause();
                hf.decodeToken(f.name(), tokens[i], i >= warmup);
            }
        }
        return runs.timings();
    }

    /** Each product shape alone: ours, then the published code's, turn by turn; best milliseconds of each. */
    double[][] products(List<GemmShape> shapes) throws IOException {
        double[][] ms = new double[2][shapes.size()];
        for (int i = 0; i < shapes.size(); i++) {
            pause();
            ms[0][i] = shapes.get(i).oursMs();
            if (hf != null) {
                pause();
                ms[1][i] = hf.gemmMs(shapes.get(i));
            }
        }
        return ms;
    }

    private void pause() {
        if (hf == null) {
            return;
        }
        try {
            Thread.sleep(PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
