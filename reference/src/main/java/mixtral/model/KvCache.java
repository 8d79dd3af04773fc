package mixtral.model;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Keys (after RoPE) and values of the tokens seen so far, one pair of growing arrays per layer, so that generating a
 * token attends to the past without recomputing it.
 */
public final class KvCache {
    private final INDArray[] keys;     // per layer [capacity, KV*Hd]
    private final INDArray[] values;   // per layer [capacity, KV*Hd]
    private final int width;
    private int length;

    KvCache(int layers, int width) {
        this.keys = new INDArray[layers];
        this.values = new INDArray[layers];
        this.width = width;
    }

    /** Tokens cached so far: the position of the next token. */
    public int length() {
        return length;
    }

    /**
     * Appends one layer's new keys and values k, v [T, KV*Hd] and returns views of all of them, [S, KV*Hd] each.
     * The length advances once every layer has appended (see {@link #advance}).
     */
    INDArray[] append(int layer, INDArray k, INDArray v) {
        int t = (int) k.rows();
        int needed = length + t;
        if (keys[layer] == null || keys[layer].rows() < needed) {
            int capacity = Math.max(needed, keys[layer] == null ? 64 : 2 * (int) keys[layer].rows());
            keys[layer] = grow(keys[layer], capacity);
            values[layer] = grow(values[layer], capacity);
        }
        keys[layer].get(NDArrayIndex.interval(length, needed), NDArrayIndex.all()).assign(k);
        values[layer].get(NDArrayIndex.interval(length, needed), NDArrayIndex.all()).assign(v);
        return new INDArray[] {
            keys[layer].get(NDArrayIndex.interval(0, needed), NDArrayIndex.all()),
            values[layer].get(NDArrayIndex.interval(0, needed), NDArrayIndex.all())
        };
    }

    void advance(int tokens) {
        length += tokens;
    }

    private INDArray grow(INDArray old, int capacity) {
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {   // outlives the layer
            INDArray bigger = Nd4j.zeros(capacity, width);
            if (old != null && length > 0) {
                bigger.get(NDArrayIndex.interval(0, length), NDArrayIndex.all())
                        .assign(old.get(NDArrayIndex.interval(0, length), NDArrayIndex.all()));
            }
            return bigger;
        }
    }
}
