package mixtral.cli;

import mixtral.bench.StreamingBenchmark;

/** The streaming benchmark's results as Markdown, for the terminal and docs/streaming.md. */
final class StreamingReport {
    private StreamingReport() {}

    static String markdown(StreamingBenchmark.Result r, long budget, int tokens) {
        StringBuilder s = new StringBuilder();
        int layers = r.config().numHiddenLayers();
        s.append(String.format("Checkpoint: %d layers of Mixtral 8x7B's size, BF16, %.2f GB in %s (written in %.0f s).%n",
                layers, r.checkpointBytes() / 1e9, "safetensors shards of at most 5 GiB", r.writeSeconds()));
        s.append(String.format("Prompt: %d tokens. Memory budget for float32 weights: %.2f GB. "
                + "Anonymous memory before loading: %.2f GB.%n%n", tokens, budget / 1e9, r.baselineAnonBytes() / 1e9));
        s.append("| run | prefill s | peak anonymous memory GB | peak converted weights GB | 32 layers, extrapolated s |\n");
        s.append("|---|---|---|---|---|\n");
        for (StreamingBenchmark.Run run : r.runs()) {
            s.append(String.format("| %s | %.1f | %.2f | %.2f | %.0f |%n", run.name(), run.seconds(),
                    run.peakAnonBytes() / 1e9, run.peakWeightBytes() / 1e9, r.extrapolate(run, 32)));
        }
        s.append(String.format("%n| layer | bytes GB | disk read s (%s) | disk GB/s |", r.diskDirect() ? "O_DIRECT" : "page cache"));
        for (StreamingBenchmark.Run run : r.runs()) {
            s.append(" ").append(run.name()).append(" s | / disk read |");
        }
        s.append("\n|---|---|---|---|").append("---|---|".repeat(r.runs().size())).append("\n");
        for (int l = 0; l < layers; l++) {
            s.append(String.format("| %d | %.2f | %.1f | %.2f |", l, r.diskBytes()[l] / 1e9, r.diskSeconds()[l],
                    r.diskBytes()[l] / 1e9 / r.diskSeconds()[l]));
            for (StreamingBenchmark.Run run : r.runs()) {
                s.append(String.format(" %.1f | %.2f |", run.layerSeconds()[l], run.layerSeconds()[l] / r.diskSeconds()[l]));
            }
            s.append("\n");
        }
        s.append("\nWhere each layer's time went (read-ahead runs on a background thread, for the layer before it starts; "
                + "convert includes waiting for bytes the read-ahead had not brought in yet):\n\n");
        s.append("| run | layer | layer s | convert s | compute s | read-ahead s | read-ahead GB from disk |\n");
        s.append("|---|---|---|---|---|---|---|\n");
        for (StreamingBenchmark.Run run : r.runs()) {
            for (int l = 0; l < layers; l++) {
                var ahead = run.readAheadOf(l);
                s.append(String.format("| %s | %d | %.1f | %.1f | %.1f | %s | %s |%n", run.name(), l,
                        run.layerSeconds()[l], run.convertSeconds()[l], run.computeSeconds(l),
                        ahead.map(a -> String.format("%.1f", a.seconds())).orElse("-"),
                        ahead.map(a -> String.format("%.2f", a.bytesRead() / 1e9)).orElse("-")));
            }
        }
        return s.toString();
    }
}
