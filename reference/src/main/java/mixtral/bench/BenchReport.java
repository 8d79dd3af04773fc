package mixtral.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mixtral.bench.Benchmark.Results;
import mixtral.bench.ModelBench.Recording;
import mixtral.config.MixtralConfig;

/** The results as a Markdown table (pasted as is into docs/performance.md), then the goals, met or not. */
public final class BenchReport {
    private static final double MB = 1024.0 * 1024.0;

    private BenchReport() {}

    public static String markdown(Results r) {
        MixtralConfig c = r.config();
        Machine m = r.machine();
        StringBuilder b = new StringBuilder();
        b.append(fmt("- Machine: %s, %d cores; %d threads for both (ND4J %s; OMP_NUM_THREADS; torch.set_num_threads; the same environment for both); "
                + "load average %.2f at the start, %.2f at the end.%n", m.cpu(), m.cores(), m.threads(), m.blas(),
                m.loadBefore(), m.loadAfter()));
        b.append(fmt("- Ours: %s. Theirs: %s.%n", m.jvm(), r.hf() == null ? "not run (--no-hf)"
                : "transformers " + r.hf().transformers() + " MixtralForCausalLM, eager attention, torch "
                + r.hf().torch() + " CPU, " + r.hf().threads() + " threads"));
        b.append(fmt("- Checkpoint: D=%d, F=%d, %d layers, %d experts top-%d, %d heads / %d kv heads, V=%d, float32, "
                + "token ids (and the weights, when bench writes the checkpoint) from seed %d. Medians (and minima) "
                + "of %d runs after %d warm-up (prefill: more while the JIT compiler is busy, up to %d); decode: of %d tokens "
                + "after a %d-token prompt and %d warm-up tokens. Our recordings and Hugging Face take turns run by run, "
                + "%d ms apart; `paired` is the median of the turn-by-turn ratios, and so is `vs off` (each recording over "
                + "recording off in the same turn; the three take turns in a rotating order).%n%n",
                c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(), c.numLocalExperts(),
                c.numExpertsPerTok(), c.numAttentionHeads(), c.numKeyValueHeads(), c.vocabSize(), r.settings().seed(),
                r.settings().reps(), r.settings().warmup(), ModelBench.MAX_WARMUP, r.settings().decodeSteps() - r.settings().warmup(),
                r.settings().decodePrompt(), r.settings().warmup(), ModelBench.PAUSE_MS));
        b.append("| figure | recording | ours ms | (min) | tokens/s | GFLOP/s | GEMM peak GFLOP/s | % of peak | vs off "
                + "| HF ms | (min) | ours / HF | paired | heap MB | off-heap MB | RSS MB | HF RSS MB |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<Figure, Map<Recording, Timing>> e : r.ours().entrySet()) {
            Figure f = e.getKey();
            Timing off = e.getValue().get(Recording.OFF);
            Timing hf = r.hf() == null ? null : r.hf().figures().get(f.name());
            for (Map.Entry<Recording, Timing> byRec : e.getValue().entrySet()) {
                Timing t = byRec.getValue();
                double ms = t.median();
                double gflops = r.flops().get(f) / ms / 1e6;
                double peak = r.gemmPeak().get(f);
                b.append(fmt("| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f%% | %+.1f%% | %s | %s | %s | %s "
                                + "| %.0f | %.0f | %.0f | %s |%n",
                        f.name(), byRec.getKey().name().toLowerCase(), ms, t.min(), f.tokensPerRun() * 1000 / ms, gflops,
                        peak, 100 * gflops / peak, 100 * (paired(t, off) - 1),
                        hf == null ? "-" : fmt("%.1f", hf.median()), hf == null ? "-" : fmt("%.1f", hf.min()),
                        hf == null ? "-" : fmt("%.2f", ms / hf.median()),
                        hf == null ? "-" : fmt("%.2f", paired(t, hf)),
                        t.memory().heap() / MB, t.memory().offHeap() / MB, t.memory().rss() / MB,
                        hf == null ? "-" : fmt("%.0f", hf.memory().rss() / MB)));
            }
        }
        b.append('\n');
        if (r.hfDefault() != null) {
            b.append("Hugging Face again without OMP_WAIT_POLICY (as it runs when nobody sets it), recording off:\n\n");
            b.append("| figure | ours ms | HF default ms | (min) | ours / HF default |\n|---|---:|---:|---:|---:|\n");
            r.ours().forEach((f, byRec) -> {
                Timing hf = r.hfDefault().figures().get(f.name());
                double ms = byRec.get(Recording.OFF).median();
                b.append(fmt("| %s | %.1f | %.1f | %.1f | %.2f |%n", f.name(), ms, hf.median(), hf.min(), ms / hf.median()));
            });
            b.append('\n');
        }
        gemm(r, b);
        goals(r).forEach(g -> b.append("- ").append(g).append('\n'));
        return b.toString();
    }

    /** Each prefill's matrix products timed alone on both sides: the part of the gap that is the BLAS kernels. */
    private static void gemm(Results r, StringBuilder b) {
        if (r.gemmShapes().isEmpty()) {
            return;
        }
        b.append("Matrix products alone (best of ").append(GemmShape.RUNS).append(" per shape; ours as the model calls "
                + "OpenBLAS, its output in reused memory as in a decoder layer (the LM head's outside it, as in the model), "
                + "HF as torch.nn.functional.linear; an expert gets T·K/E rows; the two take turns shape by shape):\n\n");
        b.append("| figure | product | rows x in -> out | calls | ours ms | HF ms | ours / HF | ours x calls ms "
                + "| HF x calls ms |\n|---|---|---|---:|---:|---:|---:|---:|---:|\n");
        r.gemmShapes().forEach((f, shapes) -> {
            double[] ours = r.gemmOursMs().get(f);
            double[] hf = r.hf() == null ? null : r.hf().gemmMs().get(f.name());
            double oursTotal = 0;
            double hfTotal = 0;
            for (int i = 0; i < shapes.size(); i++) {
                GemmShape g = shapes.get(i);
                oursTotal += ours[i] * g.calls();
                hfTotal += hf == null ? 0 : hf[i] * g.calls();
                b.append(fmt("| %s | %s | %d x %d -> %d | %d | %.3f | %s | %s | %.1f | %s |%n", f.name(), g.name(),
                        g.rows(), g.in(), g.out(), g.calls(), ours[i], hf == null ? "-" : fmt("%.3f", hf[i]),
                        hf == null ? "-" : fmt("%.2f", ours[i] / hf[i]), ours[i] * g.calls(),
                        hf == null ? "-" : fmt("%.1f", hf[i] * g.calls())));
            }
            double forward = r.ours().get(f).get(Recording.OFF).median();
            Timing hfForward = r.hf() == null ? null : r.hf().figures().get(f.name());
            b.append(fmt("| %s | **all products** | | | | | %s | **%.1f** (of a %.0f ms pass) | %s |%n", f.name(),
                    hf == null ? "-" : fmt("%.2f", oursTotal / hfTotal), oursTotal, forward,
                    hf == null ? "-" : fmt("**%.1f** (of a %.0f ms pass)", hfTotal, hfForward.median())));
        });
        b.append('\n');
    }

    /**
     * The median of ours / theirs over runs that took turns (run i of each side ran back to back), so that a change
     * in the machine's speed during the benchmark falls on both halves of each ratio.
     */
    static double paired(Timing ours, Timing theirs) {
        int n = Math.min(ours.ms().size(), theirs.ms().size());
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ratios.add(ours.ms().get(i) / theirs.ms().get(i));
        }
        return new Timing(ratios, Timing.Memory.UNKNOWN).median();
    }

    /** The goals, each with the measured value. */
    static List<String> goals(Results r) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Figure, Map<Recording, Timing>> e : r.ours().entrySet()) {
            String name = e.getKey().name();
            double off = e.getValue().get(Recording.OFF).median();
            if (r.hf() != null && r.hf().figures().containsKey(name)) {
                double ratio = off / r.hf().figures().get(name).median();
                double paired = paired(e.getValue().get(Recording.OFF), r.hf().figures().get(name));
                out.add(fmt("%s: ours / HF = %.2f by medians, %.2f paired turn by turn (goal <= 1.0): %s", name, ratio,
                        paired, paired <= 1.0 && ratio <= 1.0 ? "met" : paired <= 1.0 || ratio <= 1.0
                                ? "met by one measure only" : "NOT met"));
                if (r.hfDefault() != null) {
                    double d = off / r.hfDefault().figures().get(name).median();
                    out.add(fmt("%s: ours / HF without OMP_WAIT_POLICY = %.2f (goal <= 1.0): %s", name, d,
                            d <= 1.0 ? "met" : "NOT met"));
                }
            }
            Timing offRuns = e.getValue().get(Recording.OFF);
            double routing = paired(e.getValue().get(Recording.ROUTING), offRuns) - 1;
            double all = paired(e.getValue().get(Recording.ALL), offRuns) - 1;
            out.add(fmt("%s: routing-only recording %+.1f%% turn by turn (goal <= 5%%): %s; "
                            + "full recording %+.1f%% (goal <= 20%%): %s",
                    name, 100 * routing, routing <= 0.05 ? "met" : "NOT met", 100 * all, all <= 0.20 ? "met" : "NOT met"));
        }
        return out;
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
