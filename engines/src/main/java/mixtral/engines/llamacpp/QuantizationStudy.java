package mixtral.engines.llamacpp;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mixtral.compare.Margins;
import mixtral.compare.Report;
import mixtral.compare.Tolerances;
import mixtral.compare.TraceComparison;
import mixtral.config.MixtralConfig;
import mixtral.gguf.GgmlType;
import mixtral.model.MixtralModel;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import mixtral.weights.Checkpoint;

/**
 * What quantising the weights does to llama.cpp's Mixtral, measured against the float32 reference on a set of
 * prompts: per weight type, the logits' KL divergence and top-1 agreement, per layer the share of tokens routed to the
 * same expert set, flips by the reference's router margin, and where each prompt first diverged. Every number comes
 * from {@link TraceComparison} with the model given, so llama.cpp's routing is replayed through the reference.
 */
public final class QuantizationStudy {
    /** Upper edges of the router-margin bins flips are counted in (the last bin is open). */
    static final double[] MARGIN_EDGES = {1e-3, 1e-2, 1e-1, 1};

    /**
     * One prompt's comparison under one engine setting.
     *
     * @param setting what ran, as the tables' rows name it: a weight type ({@code Q8_0}) or e.g. {@code F32 batch}
     * @param margins the reference's router margin of every (layer, token), layer-major ({@link #margins})
     */
    public record Run(String prompt, String setting, Report report, double[] margins) {}

    private QuantizationStudy() {}

    /** Runs every prompt through llama.cpp at every type and compares each with the reference. */
    public static List<Run> run(Path modelDir, Map<String, long[]> prompts, List<GgmlType> types) {
        List<Run> runs = new ArrayList<>();
        try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
            MixtralModel model = MixtralModel.load(checkpoint);
            for (Map.Entry<String, long[]> p : prompts.entrySet()) {
                TraceRecorder rec = TraceRecorder.all(false);
                model.forward(p.getValue(), rec);
                Trace reference = rec.toTrace(model.config());
                double[] margins = margins(reference, model.config(), p.getValue().length);
                for (GgmlType type : types) {
                    Trace llama = LlamaCppEngine.trace(modelDir, p.getValue(), type, false);
                    Report r = TraceComparison.compare(reference, llama, Tolerances.DEFAULT,
                            new TraceComparison.Options(List.of(), model));
                    runs.add(new Run(p.getKey(), type.toString(), r, margins));
                }
            }
        }
        return runs;
    }

    /** The reference's router margin of every (layer, token), layer-major. */
    public static double[] margins(Trace reference, MixtralConfig c, int tokens) {
        double[] out = new double[c.numHiddenLayers() * tokens];
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            float[][] logits = reference.get(TensorNames.routerLogits(l)).toFloatMatrix();
            for (int t = 0; t < tokens; t++) {
                out[l * tokens + t] = Margins.margin(logits[t], c.numExpertsPerTok());
            }
        }
        return out;
    }

    static int bin(double margin) {
        int b = 0;
        while (b < MARGIN_EDGES.length && margin >= MARGIN_EDGES[b]) {
            b++;
        }
        return b;
    }

    /**
     * The study as Markdown: one summary table over all prompts, flips by margin, then each prompt's first divergence.
     *
     * @param column what the first column's settings are, e.g. {@code weights}
     * @param engine whose routing the reference replayed, e.g. {@code llama.cpp}
     */
    public static String markdown(List<Run> runs, int layers, String column, String engine) {
        Map<String, List<Run>> byType = new LinkedHashMap<>();
        runs.forEach(r -> byType.computeIfAbsent(r.setting(), t -> new ArrayList<>()).add(r));
        StringBuilder s = new StringBuilder();
        s.append("| ").append(column).append(" | tokens | KL mean (nats) | KL max | top-1 agreement |");
        for (int l = 0; l < layers; l++) {
            s.append(" same experts L").append(l).append(" |");
        }
        s.append(" wrong decisions |\n|---|---|---|---|---|").append("---|".repeat(layers)).append("---|\n");
        for (Map.Entry<String, List<Run>> e : byType.entrySet()) {
            int tokens = 0;
            double kl = 0;
            double klMax = 0;
            double top1 = 0;
            int[] same = new int[layers];
            int[] routed = new int[layers];
            int wrong = 0;
            for (Run r : e.getValue()) {
                Report.LogitsDiff d = r.report().logits();
                tokens += d.tokens();
                kl += d.meanKl() * d.tokens();
                klMax = Math.max(klMax, d.maxKl());
                top1 += d.top1Agreement() * d.tokens();
                for (Report.LayerRouting lr : r.report().routing()) {
                    same[lr.layer()] += lr.sameExperts();
                    routed[lr.layer()] += lr.tokens();
                }
                wrong += r.report().wrongDecisions().size();
            }
            s.append(String.format(Locale.ROOT, "| %s | %d | %.2e | %.2e | %.1f%% |", e.getKey(), tokens, kl / tokens,
                    klMax, 100 * top1 / tokens));
            for (int l = 0; l < layers; l++) {
                s.append(String.format(Locale.ROOT, " %.1f%% |", 100.0 * same[l] / routed[l]));
            }
            s.append(" ").append(wrong).append(" |\n");
        }
        s.append("\nFlipped expert sets / routing decisions, by the reference's router margin (all layers):\n\n");
        s.append("| ").append(column).append(" | margin < 1e-3 | 1e-3 to 1e-2 | 1e-2 to 0.1 | 0.1 to 1 | >= 1 |\n|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<Run>> e : byType.entrySet()) {
            int[] flips = new int[MARGIN_EDGES.length + 1];
            int[] all = new int[MARGIN_EDGES.length + 1];
            for (Run r : e.getValue()) {
                for (double m : r.margins()) {
                    all[bin(m)]++;
                }
                r.report().flips().forEach(f -> flips[bin(f.margin())]++);
            }
            s.append("| ").append(e.getKey()).append(" |");
            for (int b = 0; b < all.length; b++) {
                s.append(" ").append(flips[b]).append(" / ").append(all[b]).append(" |");
            }
            s.append("\n");
        }
        s.append("\nFirst divergence from the reference (tolerance 1e-4 abs + 1e-4 rel, ")
                .append(engine).append("'s routing replayed):\n\n");
        s.append("| prompt |");
        byType.keySet().forEach(t -> s.append(" ").append(t).append(" |"));
        s.append("\n|---|").append("---|".repeat(byType.size())).append("\n");
        Map<String, Map<String, Report.Divergence>> first = new LinkedHashMap<>();
        runs.forEach(r -> first.computeIfAbsent(r.prompt(), p -> new LinkedHashMap<>()).put(r.setting(), r.report().first()));
        first.forEach((prompt, d) -> {
            s.append("| ").append(prompt).append(" |");
            byType.keySet().forEach(t -> {
                Report.Divergence v = d.get(t);
                s.append(" ").append(v == null ? "none" : v.tensor() + ", token " + v.token()).append(" |");
            });
            s.append("\n");
        });
        return s.toString();
    }
}
