package mixtral.tutorials;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mixtral.model.Argmax;
import mixtral.model.Intervention;
import mixtral.model.RouterPrecision;
import mixtral.tutorials.WhatIfRuns.Decision;
import mixtral.tutorials.WhatIfRuns.Ripple;

/**
 * Lesson 10: "what if" questions asked of the trained demo model through {@link Intervention}s: another k, an expert
 * taken away, one token forced elsewhere, a bf16 router. Every run is the reference with one routing decision
 * overridden; the answers are measured as next-token loss on lesson 5's texts and as routing changes. The figures are
 * drawn by {@link WhatIfCharts}.
 *
 * <p>Shape legend: L layers, E experts, K experts per token, T tokens.
 */
public final class WhatIf implements Lesson {
    /** The token forced in part 3: "▁col" of "cold", in lesson 5's English text, at the first layer. */
    static final int FORCE_TEXT = 0;
    static final int FORCE_LAYER = 0;
    static final int FORCE_TOKEN = 8;
    static final Intervention BF16 = Intervention.NONE.withRouterPrecision(RouterPrecision.BF16);

    @Override
    public String markdown() {
        return "10-what-if.md";
    }

    /** loss[k-1]: the loss with top-k at every layer, k = 1..E. */
    static double[] lossByK() {
        double[] loss = new double[DemoRun.model().config().numLocalExperts()];
        for (int k = 1; k <= loss.length; k++) {
            loss[k - 1] = WhatIfRuns.loss(Intervention.NONE.withTopK(k));
        }
        return loss;
    }

    static Ripple ripple() {
        return WhatIfRuns.ripple(WhatIfRuns.TEXTS.get(FORCE_TEXT), FORCE_LAYER, FORCE_TOKEN);
    }

    @Override
    public Map<String, String> numbers() {
        Map<String, String> n = new LinkedHashMap<>();
        int trainedK = DemoRun.model().config().numExpertsPerTok();
        n.put("texts", Integer.toString(WhatIfRuns.TEXTS.size()));
        n.put("predicted", Integer.toString(WhatIfRuns.predicted()));
        double plain = WhatIfRuns.loss(Intervention.NONE);
        n.put("plain_loss", Fmt.fixed(plain, 3));
        n.put("plain_ppl", Fmt.fixed(Math.exp(plain), 1));
        double[] byK = lossByK();
        n.put("k_table", kTable(byK, trainedK));
        n.put("best_k", Integer.toString(Argmax.of(Arrays.stream(byK).map(x -> -x).toArray()) + 1));
        n.put("k1_cost", Fmt.fixed(byK[0] - byK[trainedK - 1], 3));
        n.put("dense_cost", Fmt.fixed(byK[byK.length - 1] - byK[trainedK - 1], 3));
        dropping(n);
        forcing(n);
        bf16(n, plain);
        return n;
    }

    static String kTable(double[] byK, int trainedK) {
        StringBuilder b = new StringBuilder("| k | loss (nats) | perplexity | expert work per token |\n|---:|---:|---:|---:|\n");
        for (int k = 1; k <= byK.length; k++) {
            String mark = k == trainedK ? " (trained)" : "";
            b.append("| ").append(k).append(mark).append(" | ").append(Fmt.fixed(byK[k - 1], 3)).append(" | ")
                    .append(Fmt.fixed(Math.exp(byK[k - 1]), 1)).append(" | ").append(k).append(" of ")
                    .append(byK.length).append(" experts |\n");
        }
        return b.toString().strip();
    }

    /** One (layer, expert) of the dropping map: the loss increase without it, and its load in the plain model. */
    record Cell(int layer, int expert, double increase, double load) {}

    /** The dropping map's cells, the costliest first. */
    static List<Cell> cells() {
        double plain = WhatIfRuns.loss(Intervention.NONE);
        double[][] loss = WhatIfRuns.droppedLoss();
        double[][] load = WhatIfRuns.load();
        List<Cell> cells = new ArrayList<>();
        for (int l = 0; l < loss.length; l++) {
            for (int e = 0; e < loss[l].length; e++) {
                cells.add(new Cell(l, e, loss[l][e] - plain, load[l][e]));
            }
        }
        cells.sort(Comparator.comparingDouble(Cell::increase).reversed());
        return cells;
    }

    private static void dropping(Map<String, String> n) {
        List<Cell> cells = cells();
        int layers = DemoRun.model().config().numHiddenLayers();
        int busiestCostsMost = 0;
        for (int l = 0; l < layers; l++) {
            int layer = l;
            List<Cell> row = cells.stream().filter(c -> c.layer() == layer).toList();
            Cell busiest = row.stream().max(Comparator.comparingDouble(Cell::load)).orElseThrow();
            busiestCostsMost += row.get(0).equals(busiest) ? 1 : 0;
        }
        for (int i = 0; i < 2; i++) {
            String key = i == 0 ? "worst_" : "next_";
            n.put(key + "layer", Integer.toString(cells.get(i).layer()));
            n.put(key + "expert", Integer.toString(cells.get(i).expert()));
            n.put(key + "increase", Fmt.fixed(cells.get(i).increase(), 3));
            n.put(key + "load", Fmt.percent(cells.get(i).load()));
        }
        n.put("cells", Integer.toString(cells.size()));
        n.put("under", Long.toString(cells.stream().filter(c -> Math.abs(c.increase()) < 0.01).count()));
        n.put("busiest_costs_most", Integer.toString(busiestCostsMost));
        n.put("layers", Integer.toString(layers));
    }

    private static void forcing(Map<String, String> n) {
        Ripple r = ripple();
        int last = r.tokens().length - 1;
        n.put("force_piece", DemoRun.piece(r.tokens()[r.token()]));
        n.put("force_token", Integer.toString(r.token()));
        n.put("force_layer", Integer.toString(r.layer()));
        n.put("force_chosen", Arrays.toString(r.chosen()));
        n.put("force_forced", Arrays.toString(r.forced()));
        n.put("force_later", Integer.toString(last - r.token()));
        StringBuilder t = new StringBuilder("| layer | tokens whose experts changed | of which before the forced token |\n"
                + "|---:|---:|---:|\n");
        for (int l = 0; l < r.changed().length; l++) {
            int changed = 0;
            int before = 0;
            for (int tok = 0; tok < r.tokens().length; tok++) {
                changed += r.changed()[l][tok] ? 1 : 0;
                before += r.changed()[l][tok] && tok < r.token() ? 1 : 0;
            }
            t.append("| ").append(l).append(" | ").append(changed).append(" | ").append(before).append(" |\n");
        }
        n.put("ripple_table", t.toString().strip());
        n.put("kl_here", Fmt.fixed(r.kl()[r.token()], 3));
        n.put("kl_last", Fmt.powerOfTenAbove(r.kl()[last]));
        n.put("kl_max_later", Fmt.fixed(Arrays.stream(r.kl(), r.token() + 1, last + 1).max().orElseThrow(), 3));
        n.put("top1_last", r.top1Changed()[last] ? "changed" : "did not change");
        int top1 = 0;
        for (int tok = r.token(); tok <= last; tok++) {
            top1 += r.top1Changed()[tok] ? 1 : 0;
        }
        n.put("top1_changed", Integer.toString(top1));
    }

    private static void bf16(Map<String, String> n, double plain) {
        List<Decision> ds = WhatIfRuns.decisions(BF16);
        List<Decision> flips = ds.stream().filter(Decision::flipped).sorted(Comparator.comparingDouble(Decision::margin))
                .toList();
        double[] margins = ds.stream().mapToDouble(Decision::margin).sorted().toArray();
        double widest = flips.get(flips.size() - 1).margin();
        n.put("decisions", Fmt.grouped(ds.size()));
        n.put("bf16_flips", Integer.toString(flips.size()));
        n.put("bf16_widest", Fmt.sci(widest));
        n.put("bf16_rank", Long.toString(Arrays.stream(margins).filter(m -> m <= widest).count()));
        n.put("median_margin", Fmt.fixed(margins[margins.length / 2], 2));
        StringBuilder list = new StringBuilder();
        for (Decision d : flips) {
            list.append("- layer ").append(d.layer()).append(", ").append(RoutingStatistics.DOMAINS.keySet().toArray()[
                    d.text()]).append(" text, token ").append(d.token()).append(" (`")
                    .append(DemoRun.piece(WhatIfRuns.TEXTS.get(d.text())[d.token()])).append("`): margin ")
                    .append(Fmt.sci(d.margin())).append('\n');
        }
        n.put("bf16_list", list.toString().strip());
        double[] shift = WhatIfRuns.routerLogitShift(BF16);
        n.put("bf16_shift_mean", Fmt.fixed(shift[0], 4));
        n.put("bf16_shift_max", Fmt.fixed(shift[1], 3));
        n.put("bf16_loss_change", Fmt.powerOfTenAbove(Math.abs(WhatIfRuns.loss(BF16) - plain)));
    }

    @Override
    public void drawFigures(Path dir) throws IOException {
        WhatIfCharts.draw(dir);
    }
}
