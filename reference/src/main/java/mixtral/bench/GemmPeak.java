package mixtral.bench;

import mixtral.model.Blas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's measured float32 matrix-multiply speed for the model's dominant shape, in GFLOP/s: an expert's up
 * projection x [T, D] times w [F, D] transposed (BLAS gemm) for a prefill of T tokens, and the same with one row
 * (BLAS gemv, which is memory-bound) for decode. The best of several runs: what the BLAS library can do here.
 */
final class GemmPeak {
    private GemmPeak() {}

    static double gflops(Figure f, int d, int ff) {
        INDArray w = Nd4j.rand(DataType.FLOAT, ff, d);                  // [F, D]
        INDArray x = Nd4j.rand(DataType.FLOAT, f.tokensPerRun(), d);    // [T, D]
        INDArray row = x.getRow(0, true);                               // [1, D], for gemv
        double best = Double.MAX_VALUE;
        int runs = f.decode() ? 50 : 10;
        for (int i = 0; i < runs + 2; i++) {
            long start = System.nanoTime();
            Blas.linear(f.decode() ? row : x, w);
            double s = (System.nanoTime() - start) / 1e9;
            if (i >= 2) {
                best = Math.min(best, s);
            }
        }
        return 2.0 * f.tokensPerRun() * d * ff / best / 1e9;
    }
}
