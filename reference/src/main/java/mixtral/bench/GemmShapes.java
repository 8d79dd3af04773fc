package mixtral.bench;

import java.util.ArrayList;
import java.util.List;
import mixtral.config.MixtralConfig;
import mixtral.model.BlasGate;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The matrix products of one prefill, each shape timed alone: here as the model calls ND4J, and on the Hugging Face side
 * as {@code torch.nn.functional.linear}. Their totals say how much of the gap between the two forward passes is the
 * BLAS kernels themselves and how much is everything between them. An expert's share of the tokens is taken as the
 * average, T·K/E rows (random routing on a random checkpoint is close to uniform).
 *
 * @param rows  tokens multiplied at once
 * @param in    columns of the input (and of the weight)
 * @param out   rows of the weight [out, in]
 * @param calls how many times a forward pass makes this product
 */
public record GemmShapes(String name, int rows, int in, int out, int calls) {
    /** Best of this many runs (after two warm-up runs) per shape and side. */
    static final int RUNS = 7;

    /** Every matrix product of a T-token prefill, from the configuration. */
    static List<GemmShapes> prefill(MixtralConfig c, int tokens) {
        int d = c.hiddenSize();
        int q = c.numAttentionHeads() * c.headDim();
        int kv = c.numKeyValueHeads() * c.headDim();
        int layers = c.numHiddenLayers();
        int e = c.numLocalExperts();
        int perExpert = Math.max(1, tokens * c.numExpertsPerTok() / e);
        List<GemmShapes> all = new ArrayList<>();
        all.add(new GemmShapes("q, o projections", tokens, d, q, 2 * layers));
        all.add(new GemmShapes("k, v projections", tokens, d, kv, 2 * layers));
        all.add(new GemmShapes("expert w1, w3", perExpert, d, c.intermediateSize(), 2 * e * layers));
        all.add(new GemmShapes("expert w2", perExpert, c.intermediateSize(), d, e * layers));
        all.add(new GemmShapes("LM head", tokens, d, c.vocabSize(), 1));
        return all;
    }

    /** Milliseconds of ND4J's product of this shape, called as the model calls it (experts: tokens as columns). */
    double oursMs() {
        INDArray w = Nd4j.rand(DataType.FLOAT, out, in);                      // [out, in]
        INDArray x = Nd4j.rand(DataType.FLOAT, rows, in);                     // [rows, in]
        INDArray columns = Nd4j.rand(DataType.FLOAT, in, rows);               // [in, rows], what w2 multiplies
        double best = Double.MAX_VALUE;
        for (int i = 0; i < RUNS + 2; i++) {
            long start = System.nanoTime();
            BlasGate.call(() -> name.equals("expert w2") ? Nd4j.gemm(w, columns, false, false)
                    : name.startsWith("expert") ? Nd4j.gemm(w, x, false, true) : Nd4j.gemm(x, w, false, true));
            double ms = (System.nanoTime() - start) / 1e6;
            best = i >= 2 ? Math.min(best, ms) : best;
        }
        return best;
    }
}
