package mixtral.bench;

import java.util.ArrayList;
import java.util.List;
import mixtral.config.MixtralConfig;
import mixtral.model.Blas;
import org.nd4j.linalg.api.buffer.DataType;
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
 * @param call  how the model hands the product to BLAS
 */
public record GemmShape(String name, int rows, int in, int out, int calls, Call call) {
    /** The three ways the model hands its products to BLAS ({@link Blas#linear} and {@link Blas#times}). */
    enum Call {
        /** x [rows, in] times w transposed: the projections and the LM head. */
        ROWS,
        /** w times x transposed, x [rows, in] (a transposed view of the gathered tokens): an expert's w1 and w3. */
        TRANSPOSED_COLUMNS,
        /** w times c [in, rows], an expert's gated hidden state in column form: its w2. */
        COLUMNS
    }

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
        all.add(new GemmShape("q, o projections", tokens, d, q, 2 * layers, Call.ROWS));
        all.add(new GemmShape("k, v projections", tokens, d, kv, 2 * layers, Call.ROWS));
        all.add(new GemmShape("expert w1, w3", perExpert, d, c.intermediateSize(), 2 * e * layers,
                Call.TRANSPOSED_COLUMNS));
        all.add(new GemmShape("expert w2", perExpert, c.intermediateSize(), d, e * layers, Call.COLUMNS));
        all.add(new GemmShape("LM head", tokens, d, c.vocabSize(), 1, Call.ROWS));
        return all;
    }

    /** Milliseconds of this product, called as the model calls it (experts: tokens as columns). */
    double oursMs() {
        INDArray w = Nd4j.rand(DataType.FLOAT, out, in);                      // [out, in]
        INDArray x = call == Call.COLUMNS ? Nd4j.rand(DataType.FLOAT, in, rows)    // [in, rows]
                : Nd4j.rand(DataType.FLOAT, rows, in);                             // [rows, in]
        double best = Double.MAX_VALUE;
        for (int i = 0; i < RUNS + 2; i++) {
            long start = System.nanoTime();
            switch (call) {
                case ROWS -> Blas.linear(x, w);
                case TRANSPOSED_COLUMNS -> Blas.times(w, x.transpose());
                case COLUMNS -> Blas.times(w, x);
            }
            double ms = (System.nanoTime() - start) / 1e6;
            best = i >= 2 ? Math.min(best, ms) : best;
        }
        return best;
    }
}
