package mixtral.trace;

import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Receives the tensors of one forward pass. The model asks {@link #wants} before computing anything it would compute
 * only for the record (router probabilities, attention probabilities), so recording nothing costs nothing.
 */
public interface Recorder {
    /** Records nothing. */
    Recorder NONE = new Recorder() {
        @Override
        public boolean wants(String name) {
            return false;
        }

        @Override
        public void record(String name, INDArray value) {}
    };

    boolean wants(String name);

    /**
     * Keeps a copy of {@code value} if {@link #wants} the name; the caller may overwrite the array afterwards. The value
     * may live in the model's reused layer memory (an ND4J workspace), so make the copy outside it
     * ({@code Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()}).
     */
    void record(String name, INDArray value);

    /** Called after each decoder layer, so that a long forward pass can show progress. */
    default void layerDone(int layer, int layers) {}

    /** Computes the value only when it is wanted. */
    default void record(String name, Supplier<INDArray> value) {
        if (wants(name)) {
            record(name, value.get());
        }
    }
}
