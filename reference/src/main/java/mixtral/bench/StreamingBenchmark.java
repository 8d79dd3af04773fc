package mixtral.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import mixtral.config.ConfigReader;
import mixtral.config.MixtralConfig;
import mixtral.model.MixtralModel;
import mixtral.model.RoutingRule;
import mixtral.model.WeightMemory;
import mixtral.trace.Recorder;
import mixtral.trace.TraceRecorder;
import mixtral.weights.Checkpoint;
import mixtral.weights.Layout;
import mixtral.weights.ReadAhead;
import mixtral.weights.ReadAheadMode;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Prefill on a checkpoint far larger than the memory budget: Mixtral 8x7B's real layer dimensions (hidden 4096,
 * expert hidden 14336, 32 heads over 8 kv heads, 8 experts, vocab 32000) but only a few layers, in BF16. Measures each
 * layer's time beside the time the disk takes to deliver that layer's bytes, and the peak anonymous memory.
 */
public final class StreamingBenchmark {
    /** What to run. */
    public record Settings(int layers, int tokens, long budget, Path dir, boolean dropCaches) {}

    /** One prefill: its time, each layer's time and bytes converted, and memory. */
    public record Run(String name, boolean coldCache, double seconds, double[] layerSeconds, long[] layerBytes,
                      double[] convertSeconds, List<ReadAhead.Span> readAhead, long peakAnonBytes,
                      long peakWeightBytes) {
        /** Seconds of layer {@code l} not spent converting weights: the layer's computation. */
        public double computeSeconds(int l) {
            return layerSeconds[l] - convertSeconds[l];
        }

        /** The background thread's reading of layer {@code l}'s bytes: seconds, and bytes not yet in memory. */
        public Optional<ReadAhead.Span> readAheadOf(int l) {
            return readAhead.stream().filter(x -> x.layer() == l).findFirst();
        }
    }

    /** Everything measured. */
    public record Result(MixtralConfig config, long checkpointBytes, double writeSeconds, List<Run> runs,
                         double[] diskSeconds, long[] diskBytes, boolean diskDirect, long baselineAnonBytes) {
        /** Prefill seconds for the 32 layers of Mixtral 8x7B, scaled from this run's layers (embedding and head once). */
        public double extrapolate(Run r, int layers) {
            double perLayer = java.util.Arrays.stream(r.layerSeconds).average().orElse(0);
            double rest = r.seconds - java.util.Arrays.stream(r.layerSeconds).sum();
            return rest + perLayer * layers;
        }
    }

    /** Mixtral 8x7B's configuration with {@code layers} layers instead of 32. */
    public static MixtralConfig mixtral8x7bWith(int layers) {
        try (InputStream in = StreamingBenchmark.class.getResourceAsStream("/configs/mixtral-8x7b-v0.1.json")) {
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            MixtralConfig published = ConfigReader.parseHuggingFace(json, "mixtral-8x7b-v0.1");
            return published.toBuilder().numHiddenLayers(layers).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the checkpoint (with {@code progress} told of bytes written), measures, and leaves the files in place. */
    public static Result run(Settings s, java.util.function.LongConsumer progress) throws IOException {
        MixtralConfig c = mixtral8x7bWith(s.layers());
        long start = System.nanoTime();
        long bytes = SyntheticCheckpoint.write(c, s.dir(), 5L << 30, 1, progress);
        double writeSeconds = (System.nanoTime() - start) / 1e9;
        long[] tokens = prompt(s.tokens(), c.vocabSize());
        List<Run> runs = new ArrayList<>();
        long baseline;
        try (AnonymousMemory anon = new AnonymousMemory()) {
            baseline = AnonymousMemory.now();
            boolean cold = s.dropCaches() && dropPageCache();
            runs.addAll(prefills(cold ? "page cache, cold" : "page cache", cold, ReadAheadMode.PAGE_CACHE, 1, c, s,
                    tokens, anon));
            runs.addAll(prefills("page cache, warm", false, ReadAheadMode.PAGE_CACHE, 1, c, s, tokens, anon));
            // what a checkpoint larger than the memory gets (the real 8x7B here): its bytes never stay in the cache;
            // a second pass of the same model shows a running inspector, its buffers no longer fresh memory
            runs.addAll(prefills("direct reads", false, ReadAheadMode.DIRECT, 2, c, s, tokens, anon));
        }
        double[] disk = new double[c.numHiddenLayers()];
        long[] diskBytes = new long[c.numHiddenLayers()];
        boolean direct = true;
        try (Checkpoint cp = Checkpoint.open(s.dir())) {
            for (int l = 0; l < disk.length; l++) {
                for (String name : Layout.HUGGING_FACE.layerTensors(l, c.numLocalExperts())) {
                    var info = cp.tensorInfo(name);
                    DiskRead.Timing t = DiskRead.time(cp.fileOf(name), info.begin(), info.end());
                    disk[l] += t.seconds();
                    diskBytes[l] += info.byteLength();
                    direct &= t.direct();
                }
            }
        }
        return new Result(c, bytes, writeSeconds, runs, disk, diskBytes, direct, baseline);
    }

    /** {@code passes} prefills of one model over one open checkpoint: the first pays for fresh memory, later ones reuse it. */
    private static List<Run> prefills(String name, boolean cold, ReadAheadMode mode, int passes, MixtralConfig c,
                                      Settings s, long[] tokens, AnonymousMemory anon) {
        List<Run> runs = new ArrayList<>();
        try (Checkpoint cp = Checkpoint.open(s.dir()).readAheadMode(mode)) {
            WeightMemory memory = WeightMemory.bounded(s.budget());
            MixtralModel model = MixtralModel.load(cp, RoutingRule.MIXTRAL, memory);
            for (int pass = 0; pass < passes; pass++) {
                anon.resetPeak();
                int logged = cp.readAheadLog().size();
                double[] layerSeconds = new double[c.numHiddenLayers()];
                long[] layerBytes = new long[c.numHiddenLayers()];
                double[] convertSeconds = new double[c.numHiddenLayers()];
                TraceRecorder routing = TraceRecorder.routing();
                long start = System.nanoTime();
                long[] mark = {start, memory.convertedBytes(), memory.convertNanos()};
                Recorder timed = new Recorder() {
                    @Override public boolean wants(String n) { return routing.wants(n); }
                    @Override public void record(String n, INDArray v) { routing.record(n, v); }
                    @Override public void layerDone(int layer, int layers) {
                        long now = System.nanoTime();
                        layerSeconds[layer] = (now - mark[0]) / 1e9;
                        layerBytes[layer] = memory.convertedBytes() - mark[1];
                        convertSeconds[layer] = (memory.convertNanos() - mark[2]) / 1e9;
                        mark[0] = now;
                        mark[1] = memory.convertedBytes();
                        mark[2] = memory.convertNanos();
                    }
                };
                model.forward(tokens, timed);
                double seconds = (System.nanoTime() - start) / 1e9;
                List<ReadAhead.Span> log = cp.readAheadLog();
                String shown = (mode == ReadAheadMode.DIRECT && !cp.readsDirect() ? name + " (O_DIRECT refused here)"
                        : name) + (pass == 0 ? "" : ", pass " + (pass + 1));
                runs.add(new Run(shown, cold && pass == 0, seconds, layerSeconds, layerBytes, convertSeconds,
                        log.subList(Math.min(logged, log.size()), log.size()), anon.peak(), memory.peakBytes()));
            }
            memory.releaseAll();
        }
        return runs;
    }

    /** Empties Linux's page cache (needs root); false where that is not allowed. */
    static boolean dropPageCache() {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1");
            return true;
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("stream-bench: could not empty the page cache (" + e + "); the first run is not cold");
            return false;
        }
    }

    /** BOS then pseudo-random ids: routing depends on them, so a fixed seed makes runs comparable. */
    static long[] prompt(int n, int vocab) {
        SplittableRandom r = new SplittableRandom(64);
        long[] t = new long[n];
        t[0] = 1;
        for (int i = 1; i < n; i++) {
            t[i] = 3 + r.nextInt(vocab - 3);
        }
        return t;
    }
}
