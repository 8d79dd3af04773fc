package mixtral.tutorials;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import mixtral.model.Intervention;
import mixtral.tutorials.WhatIfRuns.Decision;
import mixtral.tutorials.WhatIfRuns.Ripple;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Lesson 10's figures, from the same runs as its numbers (the losses are cached, so drawing reruns little). */
final class WhatIfCharts {
    private WhatIfCharts() {}

    static void draw(Path dir) throws IOException {
        Charts.save(topK(), dir.resolve("10-top-k.png"));
        Charts.save(dropped(), dir.resolve("10-dropped-expert.png"));
        Ripple r = WhatIf.ripple();
        Charts.save(ripple(r), dir.resolve("10-forced-ripple.png"));
        Charts.save(rippleKl(r), dir.resolve("10-forced-kl.png"));
        Charts.save(margins(WhatIfRuns.decisions(WhatIf.BF16)), dir.resolve("10-bf16-margins.png"));
    }

    private static XYChart topK() {
        double[] loss = WhatIf.lossByK();
        double[] k = IntStream.rangeClosed(1, loss.length).asDoubleStream().toArray();
        int trained = DemoRun.model().config().numExpertsPerTok();
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Loss on lesson 5's texts with top-k routing at every layer")
                .xAxisTitle("k, experts per token (8 = every expert, softmax over all)")
                .yAxisTitle("mean next-token loss, nats").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setXAxisDecimalPattern("0").setYAxisDecimalPattern("0.000");
        chart.getStyler().setMarkerSize(9);
        chart.addSeries("top-k at every layer", k, loss).setMarker(SeriesMarkers.CIRCLE);
        XYSeries mark = chart.addSeries("k = " + trained + ", as the model was trained", new double[] {trained},
                new double[] {loss[trained - 1]});
        mark.setMarker(SeriesMarkers.DIAMOND);
        mark.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        return chart;
    }

    private static HeatMapChart dropped() {
        double plain = WhatIfRuns.loss(Intervention.NONE);
        double[][] loss = WhatIfRuns.droppedLoss();
        HeatMapChart heat = new HeatMapChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Loss increase (nats) when one expert of one layer is taken away")
                .xAxisTitle("expert dropped").yAxisTitle("layer").build();
        Charts.style(heat.getStyler());
        heat.getStyler().setShowValue(true);
        heat.getStyler().setHeatMapValueDecimalPattern("0.00");
        heat.getStyler().setRangeColors(new Color[] {Color.WHITE, Charts.PALETTE[5]});
        heat.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        heat.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        List<Number[]> cells = new ArrayList<>();
        double max = 0;
        for (int l = 0; l < loss.length; l++) {
            for (int e = 0; e < loss[l].length; e++) {
                double up = Math.max(0, Math.round((loss[l][e] - plain) * 100) / 100.0);   // a hair below 0 shows as 0
                max = Math.max(max, up);
                cells.add(new Number[] {e, l, up});
            }
        }
        heat.getStyler().setMin(0).setMax(max);
        heat.addSeries("nats", range(loss[0].length), range(loss.length), cells);
        return heat;
    }

    private static XYChart ripple(Ripple r) {
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Token " + r.token() + " (" + DemoRun.piece(r.tokens()[r.token()]) + ") forced to experts "
                        + Arrays.toString(r.forced()) + " at layer " + r.layer() + ": whose routing changed")
                .xAxisTitle("token position in lesson 5's English text").yAxisTitle("layer").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(8);
        chart.getStyler().setYAxisMin(-0.5).setYAxisMax(r.changed().length - 0.5);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax((double) r.tokens().length - 1);
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int l = 0; l < r.changed().length; l++) {
            for (int t = 0; t < r.tokens().length; t++) {
                if (r.changed()[l][t] && !(l == r.layer() && t == r.token())) {
                    x.add((double) t);
                    y.add((double) l);
                }
            }
        }
        if (!x.isEmpty()) {
            chart.addSeries("experts changed", x, y).setMarker(SeriesMarkers.SQUARE);
        }
        chart.addSeries("the forced decision", new double[] {r.token()}, new double[] {r.layer()})
                .setMarker(SeriesMarkers.DIAMOND);
        return chart;
    }

    private static XYChart rippleKl(Ripple r) {
        double[] t = IntStream.range(0, r.tokens().length).asDoubleStream().toArray();
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("How far each position's next-token distribution moved (token " + r.token() + " forced)")
                .xAxisTitle("token position").yAxisTitle("KL(plain || forced), nats").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setMarkerSize(5);
        chart.addSeries("KL at each position", t, r.kl()).setMarker(SeriesMarkers.CIRCLE);
        return chart;
    }

    private static XYChart margins(List<Decision> ds) {
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title("Router margins of every decision, and the ones a bf16 router flips")
                .xAxisTitle("router margin in float32 (2nd minus 3rd logit), log scale").yAxisTitle("layer").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(6);
        for (boolean flipped : new boolean[] {false, true}) {
            List<Decision> sel = ds.stream().filter(d -> d.flipped() == flipped).toList();
            double[] x = sel.stream().mapToDouble(d -> Math.max(1e-6, d.margin())).toArray();
            double[] y = sel.stream().mapToDouble(d -> d.layer() + 0.6 * (((d.token() * 0.618034 + d.text() * 0.3) % 1)
                    - 0.5)).toArray();   // spread the dots of a layer
            chart.addSeries(flipped ? "flipped by bf16" : "same experts", x, y)
                    .setMarker(flipped ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
        }
        return chart;
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }
}
