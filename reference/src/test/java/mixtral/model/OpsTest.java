package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The element-wise loops of {@link Ops} against their definitions in double precision, on both paths (the Vector API
 * and ND4J), at lengths that leave a remainder after the SIMD lanes and the copied blocks and that split across
 * threads: a loop that skips its tail or a thread's last element is off somewhere here.
 */
class OpsTest {
    private static final int[] LENGTHS = {1, 15, 16, 17, 2047, 2048, 2049, 100_003};

    @AfterEach
    void backToTheDefault() {
        Ops.useVectorApi(Ops.VECTOR_API_PRESENT);
    }

    @Test
    void theVectorApiIsThereInTheTests() {
        // Otherwise every "true" case below would test ND4J twice.
        assertTrue(Ops.VECTOR_API_PRESENT, "the tests run without --add-modules jdk.incubator.vector");
    }

    @ParameterizedTest(name = "vector API {0}")
    @ValueSource(booleans = {true, false})
    void siluTimesIsGateOverOnePlusExpMinusGateTimesUp(boolean vector) {
        Ops.useVectorApi(vector);
        Random r = new Random(5);
        for (int n : LENGTHS) {
            float[] g = new float[n];
            float[] u = new float[n];
            for (int i = 0; i < n; i++) {
                g[i] = i == 0 ? -100f : i == 1 ? 100f : (float) r.nextGaussian() * 4;
                u[i] = (float) r.nextGaussian();
            }
            INDArray gate = Nd4j.create(g, new long[] {1, n}, 'c');
            INDArray up = Nd4j.create(u, new long[] {1, n}, 'c');
            Ops.siluTimesInPlace(gate, up);
            for (int i = 0; i < n; i++) {
                double expected = g[i] / (1 + Math.exp(-g[i])) * u[i];
                assertEquals(expected, gate.getDouble(0, i), 1e-6 * (1 + Math.abs(expected)), "n " + n + ", at " + i);
                assertEquals(u[i], up.getFloat(0, i), "up is left as it was");
            }
        }
    }

    @Test
    void siluTimesRefusesArraysOfDifferentShapes() {
        assertThrows(IllegalStateException.class,
                () -> Ops.siluTimesInPlace(Nd4j.rand(DataType.FLOAT, 3, 4), Nd4j.rand(DataType.FLOAT, 4, 3)));
    }

    /** Queries at positions pos0.., causal, with an optional sliding window; scores scaled to test large values. */
    private record Mask(int t, int s, int pos0, Integer window, float spread) {
        int first(int i) {
            return window == null ? 0 : Math.max(0, pos0 + i - window + 1);
        }

        int last(int i) {
            return pos0 + i;
        }
    }

    @ParameterizedTest(name = "vector API {0}")
    @ValueSource(booleans = {true, false})
    void softmaxRowsIsSoftmaxOfTheScaledVisibleScoresAndExactlyZeroElsewhere(boolean vector) {
        Ops.useVectorApi(vector);
        Random r = new Random(9);
        List<Mask> masks = List.of(new Mask(5, 5, 0, null, 3), new Mask(3, 10, 7, null, 3),
                new Mask(9, 9, 0, 3, 3), new Mask(4, 37, 33, 17, 3), new Mask(300, 300, 0, null, 3),
                new Mask(1, 2049, 2048, null, 3), new Mask(6, 6, 0, null, 3000));
        for (Mask m : masks) {
            float[] x = new float[m.t * m.s];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian() * m.spread;
            }
            INDArray scores = Nd4j.create(x, new long[] {m.t, m.s}, 'c');
            Ops.softmaxRowsInPlace(scores, 8.0, m::first, m::last);
            for (int i = 0; i < m.t; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = m.first(i); j <= m.last(i); j++) {
                    max = Math.max(max, x[i * m.s + j] / 8.0);
                }
                double sum = 0;
                for (int j = m.first(i); j <= m.last(i); j++) {
                    sum += Math.exp(x[i * m.s + j] / 8.0 - max);
                }
                for (int j = 0; j < m.s; j++) {
                    boolean visible = j >= m.first(i) && j <= m.last(i);
                    double expected = visible ? Math.exp(x[i * m.s + j] / 8.0 - max) / sum : 0;
                    double got = scores.getDouble(i, j);
                    String where = m + " row " + i + " column " + j;
                    if (visible) {
                        assertEquals(expected, got, 1e-6, where);
                    } else {
                        assertEquals(0.0, got, 0.0, where + ": masked, so exactly 0");
                    }
                }
            }
        }
    }

    @Test
    void gatherRowsCopiesTheRowsExactlyFromADenseArrayOrAView() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 10, 7);
        INDArray wide = Nd4j.rand(DataType.FLOAT, 12, 9);
        INDArray view = wide.get(NDArrayIndex.interval(1, 11), NDArrayIndex.interval(2, 9));
        int[] idx = {9, 0, 3, 3, 7};
        for (INDArray source : List.of(x, view)) {
            INDArray got = Ops.gatherRows(source, idx);
            assertEquals(5, got.rows());
            for (int r = 0; r < idx.length; r++) {
                assertEquals(source.getRow(idx[r]), got.getRow(r), "row " + r);
            }
        }
    }

    @Test
    void gatherRowsPadsWithZeroRowsUpToTheMultipleAndNoFurther() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 40, 7).addi(1);                      // no zero anywhere
        for (int n : new int[] {1, 15, 16, 17, 33}) {
            int[] idx = java.util.stream.IntStream.range(0, n).map(i -> (i * 7) % 40).toArray();
            // In reused layer memory, as the model gathers: what the last pass left there must not show through.
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(MixtralModel.LAYER_MEMORY,
                    "gather-test")) {
                Nd4j.ones(DataType.FLOAT, 64, 7);
            }
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(MixtralModel.LAYER_MEMORY,
                    "gather-test")) {
                INDArray got = Ops.gatherRows(x, idx, 16);
                assertEquals(n == 1 ? 1 : (n + 15) / 16 * 16, got.rows(), n + " rows (one stays one, for gemv)");
                for (int r = 0; r < got.rows(); r++) {
                    INDArray expected = r < n ? x.getRow(idx[r]) : Nd4j.zeros(DataType.FLOAT, 7);
                    assertEquals(expected, got.getRow(r).detach(), n + " rows, row " + r);
                }
            }
        }
    }

    @Test
    void addScaledRowsAddsEachWeightedRowToItsTargetOnceForEveryLayout() {
        Random rnd = new Random(3);
        int tokens = 50;
        int d = 9;
        for (int n : new int[] {1, 15, 16, 17, 40}) {
            int[] idx = rnd.ints(0, tokens).distinct().limit(n).toArray();
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = rnd.nextFloat();
            }
            INDArray rows = Nd4j.rand(DataType.FLOAT, n, d).subi(0.5);
            INDArray wider = Nd4j.rand(DataType.FLOAT, n + 2, d + 3);
            wider.get(NDArrayIndex.interval(1, n + 1), NDArrayIndex.interval(2, d + 2)).assign(rows);
            INDArray padded = Nd4j.rand(DataType.FLOAT, n + 5, d).addi(1000);       // rows after n must not be read
            padded.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).assign(rows);
            List<INDArray> layouts = List.of(rows.dup('c'), rows.transpose().dup('c').transpose(),
                    wider.get(NDArrayIndex.interval(1, n + 1), NDArrayIndex.interval(2, d + 2)), padded);
            for (INDArray layout : layouts) {
                INDArray target = Nd4j.rand(DataType.FLOAT, tokens, d);
                INDArray before = target.dup();
                Ops.addScaledRows(target, idx, w, layout);
                for (int t = 0; t < tokens; t++) {
                    int r = indexOf(idx, t);
                    for (int j = 0; j < d; j++) {
                        double expected = before.getDouble(t, j) + (r < 0 ? 0 : w[r] * rows.getDouble(r, j));
                        assertEquals(expected, target.getDouble(t, j), 1e-6,
                                "n " + n + ", strides " + java.util.Arrays.toString(layout.stride()) + ", token " + t);
                    }
                }
            }
        }
    }

    @Test
    void aDoubleArrayIsReadByValueNotByItsBytes() {
        // The loops read float32 memory; anything else must be converted first, never reinterpreted.
        INDArray x = Nd4j.rand(DataType.DOUBLE, 6, 5);
        INDArray gathered = Ops.gatherRows(x, new int[] {4, 1}, 16);
        assertEquals(x.getRow(4).castTo(DataType.FLOAT), gathered.getRow(0));
        assertEquals(x.getRow(1).castTo(DataType.FLOAT), gathered.getRow(1));
        INDArray target = Nd4j.zeros(DataType.FLOAT, 3, 5);
        Ops.addScaledRows(target, new int[] {2}, new float[] {2f}, x.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all()));
        assertEquals(x.getRow(0).castTo(DataType.FLOAT).mul(2), target.getRow(2));
    }

    @Test
    void addScaledRowsRefusesATargetRowGivenTwice() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Ops.addScaledRows(
                Nd4j.zeros(DataType.FLOAT, 4, 3), new int[] {1, 2, 1}, new float[3], Nd4j.ones(DataType.FLOAT, 3, 3)));
        assertEquals("row 1 given twice to add into", e.getMessage());
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
