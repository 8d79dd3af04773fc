package mixtral.tutorials;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mixtral.compare.Margins;
import mixtral.model.Argmax;
import mixtral.model.Intervention;
import mixtral.model.Routing;
import mixtral.trace.TensorNames;
import mixtral.trace.Trace;
import mixtral.trace.TraceRecorder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The runs lesson 10 compares: the demo model on lesson 5's six texts (each its own sequence, as lesson 5 runs them),
 * plain or with an {@link Intervention}, measured by next-token loss and by routing. Losses are cached per
 * intervention, because the dropping map alone is 48 runs.
 *
 * <p>Shape legend: T tokens, V vocabulary, L layers, E experts, K experts per token.
 */
final class WhatIfRuns {
    /** Lesson 5's texts, one per domain, as token ids with BOS first. */
    static final List<long[]> TEXTS = RoutingStatistics.DOMAINS.values().stream().map(DemoRun::tokens).toList();

    private static final Map<String, Double> LOSSES = new ConcurrentHashMap<>();

    private WhatIfRuns() {}

    /** One text through the model with an intervention: its next-token logits and its routing. */
    record Run(float[][] logits, Trace routing) {
        /** [T][K] experts chosen at a layer. */
        long[][] experts(int layer) {
            return routing.get(TensorNames.selectedExperts(layer)).toLongMatrix();
        }

        /** [T][E] router logits at a layer. */
        float[][] routerLogits(int layer) {
            return routing.get(TensorNames.routerLogits(layer)).toFloatMatrix();
        }

        /** [T][K] routing weights at a layer. */
        float[][] weights(int layer) {
            return routing.get(TensorNames.routingWeights(layer)).toFloatMatrix();
        }
    }

    static Run run(long[] tokens, Intervention iv) {
        TraceRecorder rec = TraceRecorder.routing();
        INDArray logits = DemoRun.model().with(iv).forward(tokens, rec);          // [T, V]
        return new Run(logits.toFloatMatrix(), rec.toTrace(DemoRun.model().config()));
    }

    /** Mean next-token cross-entropy in nats over every predicted token of the six texts (token t+1 from 0..t). */
    static double loss(Intervention iv) {
        return LOSSES.computeIfAbsent(iv.toJson(), key -> {
            double sum = 0;
            int n = 0;
            for (long[] tokens : TEXTS) {
                float[][] logits = run(tokens, iv).logits();
                for (int t = 0; t + 1 < tokens.length; t++) {
                    sum -= Margins.logSoftmax(logits[t])[(int) tokens[t + 1]];
                    n++;
                }
            }
            return sum / n;
        });
    }

    /** How many tokens the loss averages over. */
    static int predicted() {
        return TEXTS.stream().mapToInt(t -> t.length - 1).sum();
    }

    /** loss[l][e]: the loss with expert e unavailable at layer l (every token takes its best two of the other 7). */
    static double[][] droppedLoss() {
        int layers = DemoRun.model().config().numHiddenLayers();
        int experts = DemoRun.model().config().numLocalExperts();
        double[][] loss = new double[layers][experts];
        for (int l = 0; l < layers; l++) {
            for (int e = 0; e < experts; e++) {
                loss[l][e] = loss(Intervention.NONE.withDropped(l, e));
            }
        }
        return loss;
    }

    /** load[l][e]: the share of layer l's top-K assignments that went to expert e in the plain model (lesson 5). */
    static double[][] load() {
        int layers = DemoRun.model().config().numHiddenLayers();
        double[][] load = new double[layers][DemoRun.model().config().numLocalExperts()];
        int assignments = 0;
        for (long[] tokens : TEXTS) {
            Run r = run(tokens, Intervention.NONE);
            for (int l = 0; l < layers; l++) {
                for (long[] chosen : r.experts(l)) {
                    for (long e : chosen) {
                        load[l][(int) e]++;
                    }
                }
            }
            assignments += tokens.length * DemoRun.model().config().numExpertsPerTok();
        }
        for (double[] row : load) {
            for (int e = 0; e < row.length; e++) {
                row[e] /= assignments;
            }
        }
        return load;
    }

    /** One routing decision of the plain model and whether an intervened run chose another expert set there. */
    record Decision(int text, int layer, int token, double margin, boolean flipped) {}

    /** Every decision (text, layer, token) of the six texts, its plain-model margin, and whether {@code iv} flipped it. */
    static List<Decision> decisions(Intervention iv) {
        int layers = DemoRun.model().config().numHiddenLayers();
        int k = DemoRun.model().config().numExpertsPerTok();
        List<Decision> out = new ArrayList<>();
        for (int text = 0; text < TEXTS.size(); text++) {
            long[] tokens = TEXTS.get(text);
            Run plain = run(tokens, Intervention.NONE);
            Run changed = run(tokens, iv);
            for (int l = 0; l < layers; l++) {
                float[][] logits = plain.routerLogits(l);
                long[][] a = plain.experts(l);
                long[][] b = changed.experts(l);
                for (int t = 0; t < tokens.length; t++) {
                    out.add(new Decision(text, l, t, Margins.margin(logits[t], k), !Margins.sameSet(a[t], b[t])));
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * What forcing one token of a text to other experts at one layer changes downstream.
     *
     * @param chosen      [K] the experts the router chose for that token, first choice first
     * @param forced      [K] the experts it was forced to: the K the router ranked last
     * @param changed     [L][T] whether the token's expert set differs from the plain run's
     * @param kl          [T] KL(plain || forced) of the next-token distribution at each position, nats
     * @param top1Changed [T] whether the most likely next token differs
     */
    record Ripple(long[] tokens, int layer, int token, int[] chosen, int[] forced, boolean[][] changed, double[] kl,
                  boolean[] top1Changed) {}

    static Ripple ripple(long[] tokens, int layer, int token) {
        int e = DemoRun.model().config().numLocalExperts();
        int k = DemoRun.model().config().numExpertsPerTok();
        Run plain = run(tokens, Intervention.NONE);
        int[] ranked = Routing.topK(plain.routerLogits(layer)[token], e);
        int[] forced = Arrays.copyOfRange(ranked, e - k, e);
        Run run = run(tokens, Intervention.NONE.withForced(layer, token, forced));
        int layers = DemoRun.model().config().numHiddenLayers();
        boolean[][] changed = new boolean[layers][tokens.length];
        for (int l = 0; l < layers; l++) {
            long[][] a = plain.experts(l);
            long[][] b = run.experts(l);
            for (int t = 0; t < tokens.length; t++) {
                changed[l][t] = !Margins.sameSet(a[t], b[t]);
            }
        }
        double[] kl = new double[tokens.length];
        boolean[] top1 = new boolean[tokens.length];
        for (int t = 0; t < tokens.length; t++) {
            kl[t] = Margins.kl(plain.logits()[t], run.logits()[t]);
            top1[t] = Argmax.of(plain.logits()[t]) != Argmax.of(run.logits()[t]);
        }
        return new Ripple(tokens, layer, token, Arrays.copyOf(ranked, k), forced, changed, kl, top1);
    }

    /** {mean, max} of |router logit with {@code iv} - plain router logit| over every layer, token and expert. */
    static double[] routerLogitShift(Intervention iv) {
        double sum = 0;
        double max = 0;
        long n = 0;
        for (long[] tokens : TEXTS) {
            Run plain = run(tokens, Intervention.NONE);
            Run changed = run(tokens, iv);
            for (int l = 0; l < DemoRun.model().config().numHiddenLayers(); l++) {
                float[][] a = plain.routerLogits(l);
                float[][] b = changed.routerLogits(l);
                for (int t = 0; t < a.length; t++) {
                    for (int e = 0; e < a[t].length; e++) {
                        double d = Math.abs(a[t][e] - b[t][e]);
                        sum += d;
                        max = Math.max(max, d);
                        n++;
                    }
                }
            }
        }
        return new double[] {sum / n, max};
    }
}
