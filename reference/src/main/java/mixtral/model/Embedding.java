package mixtral.model;

import mixtral.weights.WeightSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The token embedding: row {@code id} of the [V, D] table is token id's vector. */
interface Embedding {
    /** ids [T] -> [T, D] */
    INDArray rows(int[] ids);

    /**
     * The whole table in float32 when memory is unbounded; otherwise only the rows a prompt needs are read from the
     * source each time (the table of Mixtral 8x7B is 0.5 GB in float32, and a prompt needs a few rows of it).
     */
    static Embedding of(WeightSource w, WeightMemory memory) {
        if (memory.isBounded()) {
            return w::embeddingRows;
        }
        INDArray table = w.embedding();                  // [V, D]
        return ids -> Ops.gatherRows(table, ids);
    }
}
