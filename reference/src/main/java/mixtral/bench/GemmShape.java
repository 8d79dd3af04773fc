package mixtral.bench;

import java.util.ArrayList;
import java.util.List;
import mixtral.config.MixtralConfig;
import mixtral.model.Blas;
import mixtral.model.MixtralModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The matrix products of one prefill, each shape timed alone: here as the model calls OpenBLAS, and on the Hugging Face side
 * as {@code torch.nn.functional.linear}. Their totals say how much of the gap between the two forward passes is the
 * BLAS kernels themselves and how much is everything between them. An expert's share of the tokens is taken as the
 * average, T·K/E rows (random routing on a random checkpoint is close to uniform).
 *
 * @param rows  tokens multiplied at once
 * @param in    columns of the input (and of the weight)
 * @param out   rows of the weight [out, in]
 * @param calls how many times a forward pass makes this product
 * @param freshOutput whether the output is made outside the layer's reused memory, as the logits are (they outlive
 *                    the pass): the LM head
 */
public record GemmShape(String name, int rows, int in, int out, int calls, boolean freshOutput) {

    /** Best of this many runs (after two warm-up runs) per shape and side. */
    static final int RUNS = 7;

    /** Every matrix product of a T-token prefill, from the configuration. */
    static List<GemmShape> prefill(MixtralConfig c, int tokens) {
        int d = c.hiddenSize();
        int q = c.numAttentionHeads() * c.headDim();
        int kv = c.numKeyValueHeads() * c.headDim();
        int layers = c.numHiddenLayers();
        int e = c.numLocalExperts();
        int perExpert = Math.max(1, tokens * c.numExpertsPerTok() / e);
        List<GemmShape> all = new ArrayList<>();
        all.add(new GemmShape("q, o projections", tokens, d, q, 2 * layers, false));
        all.add(new GemmShape("k, v projections", tokens, d, kv, 2 * layers, false));
        all.add(new GemmShape("expert w1, w3", perExpert, d, c.intermediateSize(), 2 * e * layers, false));
        all.add(new GemmShape("expert w2", perExpert, c.intermediateSize(), d, e * layers, false));
        all.add(new GemmShape("LM head", tokens, d, c.vocabSize(), 1, true));
        return all;
    }

    /**
     * Milliseconds of this product, called as the model calls it ({@link Blas#linear}), with its output in a reused
     * workspace as a decoder layer has it; without one each run would write to freshly mapped memory.
     */
    double oursMs() {
        INDArray w = Nd4j.rand(DataType.FLOAT, out, in);                      // [out, in]
        INDArray x = Nd4j.rand(DataType.FLOAT, rows, in);                     // [rows, in]
        double best = Double.MAX_VALUE;
        for (int i = 0; i < RUNS + 2; i++) {
            double ms;
            try (MemoryWorkspace ws = freshOutput ? null
                    : Nd4j.getWorkspaceManager().getAndActivateWorkspace(MixtralModel.LAYER_MEMORY, "gemm-shape")) {
                long start = System.nanoTime();
                INDArray y = Blas.linear(x, w);
                ms = (System.nanoTime() - start) / 1e6;
                if (freshOutput) {
                    // Freed now, as the model's logits are long before its next pass; left to the garbage collector,
                    // nine of them in a row (65 MB each at 512 tokens) doubled the time of the runs after them.
                    y.close();
                }
            }
            best = i >= 2 ? Math.min(best, ms) : best;
        }
        return best;
    }
}
