package com.github.tjake.jlama.model;

import com.github.tjake.jlama.math.ActivationFunction;
import com.github.tjake.jlama.model.functions.FeedForward;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.operations.TensorOperations;
import com.github.tjake.jlama.tensor.operations.TensorOperationsProvider;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Jlama's {@code MoEBlock} with its two faults corrected, for the faithfulness test only: each chosen expert's output is
 * scaled by its routing weight (softmax over all experts, renormalised over the K chosen), and every token's sum goes to
 * that token's row (the stock block copies the first expert's output of every token into row 0). Everything else is
 * the stock block's own weights and Jlama's own operations, token by token.
 */
public final class WeightedMoe implements FeedForward {
    private final AbstractModel model;
    private final JlamaTap.RoutingSink sink;
    private final AbstractTensor gate;          // [E, D]
    private final AbstractTensor[] w1;          // [E][F, D]
    private final AbstractTensor[] w2;          // [E][D, F]
    private final AbstractTensor[] w3;          // [E][F, D]
    private final int k;
    private final ActivationFunction.Type act;

    public WeightedMoe(MoEBlock stock, JlamaTap.RoutingSink sink) {
        this.model = JlamaTap.privateField(stock, "model", AbstractModel.class);
        this.sink = sink;
        this.gate = JlamaTap.privateField(stock, "moeGateWeight", AbstractTensor.class);
        this.w1 = JlamaTap.privateField(stock, "fullyConnectedWeights", AbstractTensor[].class);
        this.w2 = JlamaTap.privateField(stock, "projectionWeights", AbstractTensor[].class);
        this.w3 = JlamaTap.privateField(stock, "upProjectionWeights", AbstractTensor[].class);
        this.k = JlamaTap.privateField(stock, "numberOfExpertsPerToken", Integer.class);
        this.act = JlamaTap.privateField(stock, "activationFunction", ActivationFunction.Type.class);
    }

    @Override
    public AbstractTensor forward(AbstractTensor x, Optional<Consumer<List<AbstractTensor>>> reducer) {
        TensorOperations ops = TensorOperationsProvider.get();
        int d = model.c.embeddingLength;
        int f = model.c.hiddenLength;
        int e = w1.length;
        AbstractTensor result = model.makeTensor(x.shape().first(), d);
        for (int b = 0; b < x.shape().first(); b++) {
            AbstractTensor row = x.slice(true, b);
            float[] probs = new float[e];
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < e; i++) {
                probs[i] = ops.dotProduct(row, gate.slice(true, i), 0, 0, d);
                max = Math.max(max, probs[i]);
            }
            double sum = 0;
            for (int i = 0; i < e; i++) {
                probs[i] = (float) Math.exp(probs[i] - max);
                sum += probs[i];
            }
            for (int i = 0; i < e; i++) {
                probs[i] /= (float) sum;
            }
            int[] chosen = topK(probs);
            float chosenSum = 0;
            for (int c : chosen) {
                chosenSum += probs[c];
            }
            float[] weights = new float[k];
            AbstractTensor out = result.slice(b);
            for (int j = 0; j < k; j++) {
                weights[j] = probs[chosen[j]] / chosenSum;
                try (AbstractTensor h = model.makeTensor(1, f);
                     AbstractTensor up = model.makeTensor(1, f);
                     AbstractTensor y = model.makeTensor(1, d)) {
                    ops.dotProductChunk(h, row, w1[chosen[j]], 0, d, 0, f);
                    ops.dotProductChunk(up, row, w3[chosen[j]], 0, d, 0, f);
                    for (int i = 0; i < f; i++) {
                        h.set(ActivationFunction.eval(act, h.get(0, i)), 0, i);
                    }
                    ops.maccumulate(h, up, 0, f);
                    ops.dotProductChunk(y, h, w2[chosen[j]], 0, f, 0, d);
                    ops.scale(weights[j], y, 0, d);
                    ops.accumulate(out, y, 0, d);
                }
            }
            sink.routed(b, probs, chosen, weights);
        }
        return result;
    }

    /** The K most probable experts, most probable first (the lower index on a tie, as the reference). */
    private int[] topK(float[] p) {
        int[] out = new int[k];
        boolean[] used = new boolean[p.length];
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int i = 0; i < p.length; i++) {
                if (!used[i] && (best < 0 || p[i] > p[best])) {
                    best = i;
                }
            }
            used[best] = true;
            out[j] = best;
        }
        return out;
    }
}
