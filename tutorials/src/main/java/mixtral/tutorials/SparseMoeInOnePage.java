package mixtral.tutorials;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mixtral.config.ConfigReader;
import mixtral.config.MixtralConfig;
import mixtral.config.ParameterCount;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Lesson 1: parameters and compute of Mixtral 8x7B, counted from its published configuration: all of them are stored,
 * but each token uses only its 2 experts of 8 in every layer.
 *
 * <p>Shape legend: L layers, D hidden, H heads, KV kv heads, Hd head dim, F expert hidden, E experts, K experts per
 * token, V vocab, n tokens of context.
 */
public final class SparseMoeInOnePage implements Lesson {

    /** One of the configurations shipped with the reference, by file name. */
    static MixtralConfig publishedConfig(String file) {
        try (InputStream in = SparseMoeInOnePage.class.getResourceAsStream("/configs/" + file)) {
            if (in == null) {
                throw new IllegalStateException("configuration /configs/" + file + " is missing from the reference jar");
            }
            return ConfigReader.parseHuggingFace(new String(in.readAllBytes(), StandardCharsets.UTF_8), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MixtralConfig mixtral8x7b() {
        return publishedConfig("mixtral-8x7b-v0.1.json");
    }

    /** The same model with one expert per layer and no router: a dense transformer of the same shape. */
    static long denseCounterpart(MixtralConfig c) {
        MixtralConfig one = c.toBuilder().numLocalExperts(1).numExpertsPerTok(1).build();
        ParameterCount p = ParameterCount.of(one);
        return p.totalSum() - p.total().get("router");
    }

    /**
     * Floating-point operations per token in the weights' matrix products, 2 per multiply-add: every weight the token
     * uses is multiplied once, except the embedding (a row lookup) and the norms (negligible).
     */
    static long matmulFlopsPerToken(ParameterCount p, Map<String, Long> used) {
        return 2 * (used.get("attention") + used.get("router") + used.get("experts") + used.get("lm_head"));
    }

    /** Attention's own products, q.k and probs.v, for one new token reading n tokens: 2 * 2 * L * H * Hd * n. */
    static long attentionFlopsPerToken(MixtralConfig c, long n) {
        return 4L * c.numHiddenLayers() * c.numAttentionHeads() * c.headDim() * n;
    }

    @Override
    public String markdown() {
        return "01-sparse-moe-in-one-page.md";
    }

    @Override
    public Map<String, String> numbers() {
        MixtralConfig c = mixtral8x7b();
        ParameterCount p = ParameterCount.of(c);
        long oneExpert = 3L * c.hiddenSize() * c.intermediateSize();
        long matmul = matmulFlopsPerToken(p, p.active());
        long denseMatmul = matmulFlopsPerToken(p, p.total());
        long context = 4096;
        MixtralConfig big = publishedConfig("mixtral-8x22b-v0.1.json");
        ParameterCount pb = ParameterCount.of(big);

        Map<String, String> n = new LinkedHashMap<>();
        n.put("layers", Integer.toString(c.numHiddenLayers()));
        n.put("d", Integer.toString(c.hiddenSize()));
        n.put("f", Integer.toString(c.intermediateSize()));
        n.put("e", Integer.toString(c.numLocalExperts()));
        n.put("k", Integer.toString(c.numExpertsPerTok()));
        n.put("total", Fmt.abbreviated(p.totalSum()));
        n.put("active", Fmt.abbreviated(p.activeSum()));
        n.put("active_share", Fmt.percent((double) p.activeSum() / p.totalSum()));
        n.put("one_expert", Fmt.grouped(oneExpert));
        n.put("experts_total", Fmt.abbreviated(p.total().get("experts")));
        n.put("experts_active", Fmt.abbreviated(p.active().get("experts")));
        n.put("experts_share", Fmt.percent((double) p.total().get("experts") / p.totalSum()));
        n.put("attention", Fmt.abbreviated(p.total().get("attention")));
        n.put("router", Fmt.grouped(p.total().get("router")));
        n.put("dense", Fmt.grouped(denseCounterpart(c)));
        n.put("dense_short", Fmt.abbreviated(denseCounterpart(c)));
        n.put("dense_ratio", Fmt.fixed((double) p.totalSum() / denseCounterpart(c), 1));
        long denseFlops = 2 * (p.total().get("attention") + c.numHiddenLayers() * oneExpert + p.total().get("lm_head"));
        n.put("dense_flops", Fmt.fixed(denseFlops / 1e9, 1));
        n.put("flops", Fmt.fixed(matmul / 1e9, 1));
        n.put("flops_dense", Fmt.fixed(denseMatmul / 1e9, 1));
        n.put("context", Fmt.grouped(context));
        n.put("flops_attention", Fmt.fixed(attentionFlopsPerToken(c, context) / 1e9, 1));
        n.put("big_total", Fmt.abbreviated(pb.totalSum()));
        n.put("big_active", Fmt.abbreviated(pb.activeSum()));
        n.put("table", table(p));
        return n;
    }

    /** Lesson 1 in French: the same numbers, written the French way. */
    public static final class InFrench implements Lesson {
        @Override
        public String markdown() {
            return "01-sparse-moe-in-one-page.fr.md";
        }

        @Override
        public Map<String, String> numbers() {
            Map<String, String> n = new LinkedHashMap<>();
            new SparseMoeInOnePage().numbers().forEach((k, v) -> n.put(k, Fmt.french(v)));
            n.put("table", Fmt.french(table(ParameterCount.of(mixtral8x7b()))
                    .replace("| component | total | active per token |", "| composant | total | actifs par token |")
                    .replace("| **all** |", "| **tout** |")));
            return n;
        }
    }

    /** The lesson's parameter table, as Markdown. */
    static String table(ParameterCount p) {
        StringBuilder s = new StringBuilder("| component | total | active per token |\n|---|---:|---:|\n");
        p.total().forEach((k, v) -> s.append("| ").append(k).append(" | ").append(Fmt.grouped(v)).append(" | ")
                .append(Fmt.grouped(p.active().get(k))).append(" |\n"));
        s.append("| **all** | **").append(Fmt.grouped(p.totalSum())).append("** | **")
                .append(Fmt.grouped(p.activeSum())).append("** |");
        return s.toString();
    }

    @Override
    public void drawFigures(Path dir) throws IOException {
        ParameterCount p = ParameterCount.of(mixtral8x7b());
        CategoryChart chart = new CategoryChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Mixtral 8x7B: parameters stored vs used per token")
                .yAxisTitle("billions of parameters").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setStacked(true);
        chart.getStyler().setOverlapped(false);
        List<String> bars = List.of("stored (total)", "used per token (active)");
        for (String component : p.total().keySet()) {
            List<Number> y = new ArrayList<>();
            y.add(p.total().get(component) / 1e9);
            y.add(p.active().get(component) / 1e9);
            chart.addSeries(component, bars, y);
        }
        Charts.save(chart, dir.resolve("01-parameters.png"));
    }
}
