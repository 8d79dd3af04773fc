package mixtral.model;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Rotary position embedding in the Hugging Face "rotate half" layout: within each head, dimension i is paired with
 * i + Hd/2 and the pair is rotated by the angle pos * theta^(-2i/Hd). A rotation keeps each vector's norm, and the
 * dot product of a rotated query and key depends only on the distance between their positions.
 *
 * <p>The angles are computed in float32 exactly as the published implementations do, so positions far from 0 get
 * the same rounding as theirs.
 */
final class Rope {
    private final int headDim;
    private final float[] invFreq;   // [Hd/2]
    private int positions;           // P, positions the tables cover
    private INDArray cos;            // [P, Hd] for positions 0..P-1, the halves repeated
    private INDArray signedSin;      // [P, Hd], the first half negated (see apply)

    Rope(int headDim, double theta) {
        this.headDim = headDim;
        this.invFreq = new float[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) {
            float exponent = (float) (2 * i) / headDim;
            invFreq[i] = 1.0f / (float) Math.pow((float) theta, exponent);
        }
    }

    /**
     * Rotates every head of x [T, n*Hd] (n heads side by side) for positions pos0 .. pos0+T-1:
     * x * cos + rotate_half(x) * sin, where rotate_half(x1, x2) = (-x2, x1). The sign lives in the sin table, so
     * rotate_half is a swap of the halves: (x2, x1) * (-sin, sin).
     */
    INDArray apply(INDArray x, int nHeads, int pos0) {
        int t = (int) x.rows();
        int half = headDim / 2;
        ensureTables(pos0 + t);
        INDArrayIndex rows = NDArrayIndex.interval(pos0, pos0 + t);
        INDArray c = cos.get(rows, NDArrayIndex.all()).reshape('c', t, 1, headDim);         // [T, 1, Hd], for every head
        INDArray s = signedSin.get(rows, NDArrayIndex.all()).reshape('c', t, 1, headDim);   // [T, 1, Hd]

        INDArray pairs = x.reshape('c', t, nHeads, 2, half);                                 // [T, n, 2, Hd/2]
        INDArray swapped = Nd4j.createUninitialized(x.dataType(), t, nHeads, 2, half);
        half(swapped, 0).assign(half(pairs, 1));
        half(swapped, 1).assign(half(pairs, 0));
        INDArray rotated = swapped.reshape('c', t, nHeads, headDim).muli(s);                 // rotate_half(x) * sin
        return x.reshape('c', t, nHeads, headDim).mul(c).addi(rotated)
                .reshape('c', t, (long) nHeads * headDim);                                   // [T, n*Hd]
    }

    /** The first (0) or second (1) half of every head of pairs [T, n, 2, Hd/2]. */
    private static INDArray half(INDArray pairs, int which) {
        return pairs.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(which), NDArrayIndex.all());
    }

    private void ensureTables(int needed) {
        if (needed <= positions) {
            return;
        }
        int p = Math.max(needed, 2 * Math.max(positions, 64));
        float[] c = new float[p * headDim];
        float[] s = new float[p * headDim];
        int half = headDim / 2;
        for (int pos = 0; pos < p; pos++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) pos * invFreq[i];
                c[pos * headDim + i] = c[pos * headDim + i + half] = (float) Math.cos(angle);
                s[pos * headDim + i] = -(float) Math.sin(angle);
                s[pos * headDim + i + half] = (float) Math.sin(angle);
            }
        }
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {   // kept across layers
            cos = Nd4j.create(c, new long[] {p, headDim}, 'c');
            signedSin = Nd4j.create(s, new long[] {p, headDim}, 'c');
        }
        positions = p;
    }
}
