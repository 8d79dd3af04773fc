package mixtral.model;

import mixtral.trace.Recorder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Root-mean-square normalisation: x / sqrt(mean(x^2) + eps) * weight, per token. No mean is subtracted. */
final class RmsNorm {
    private final INDArray weight;   // [D]
    private final double eps;
    private final String name;       // what the output is recorded as

    RmsNorm(INDArray weight, double eps, String name) {
        this.weight = weight;
        this.eps = eps;
        this.name = name;
    }

    /** x [T, D] -> [T, D] */
    INDArray forward(INDArray x, Recorder rec) {
        INDArray rms = Transforms.sqrt(x.mul(x).mean(true, 1).addi(eps), false);   // [T, 1]
        INDArray y = x.divColumnVector(rms).muliRowVector(weight);                 // [T, D]
        rec.record(name, y);
        return y;
    }
}
