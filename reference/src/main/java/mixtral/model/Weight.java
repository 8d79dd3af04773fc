package mixtral.model;

import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One float32 weight of the model, held by {@link WeightMemory}: call {@link #get} each time it is needed and do not
 * keep the array past the computation, since a bounded memory may release it when another weight is needed.
 */
final class Weight {
    final long bytes;
    final Supplier<INDArray> load;
    INDArray value;
    private final WeightMemory memory;

    Weight(WeightMemory memory, long bytes, Supplier<INDArray> load) {
        this.memory = memory;
        this.bytes = bytes;
        this.load = load;
    }

    INDArray get() {
        return memory.acquire(this);
    }
}
