package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link Blas} describes each operand to OpenBLAS as it lies in memory (row- or column-major, leading dimension,
 * offset into its buffer). A wrong description reads the wrong numbers without any error, so every layout the model
 * hands it is checked here against a plain loop in double precision, including the views that would go wrong if the
 * offset or the leading dimension were ignored.
 */
class BlasTest {
    private static final long SEED = 7;

    /** The layouts one logical matrix [r, c] can have when it reaches Blas, each with the same values. */
    private static List<INDArray> layouts(INDArray m) {
        long r = m.rows();
        long c = m.columns();
        INDArray big = Nd4j.rand(DataType.FLOAT, r + 5, c + 3).muli(100);        // garbage around the values
        INDArray inside = big.get(NDArrayIndex.interval(2, 2 + r), NDArrayIndex.interval(1, 1 + c));
        inside.assign(m);                                                         // offset 2 rows 1 column, ld c + 3
        INDArray bigT = Nd4j.rand(DataType.FLOAT, c + 4, r + 2).muli(100);
        INDArray insideT = bigT.get(NDArrayIndex.interval(3, 3 + c), NDArrayIndex.interval(1, 1 + r));
        insideT.assign(m.transpose());
        return List.of(
                m.dup('c'),                          // row-major
                m.transpose().dup('c').transpose(),  // column-major: a transposed view
                m.dup('f'),                          // column-major, its own buffer
                inside,                              // row-major view with an offset and a wider row
                insideT.transpose());                // column-major view with an offset and a wider column
    }

    private static double[][] plain(INDArray a, INDArray b) {
        double[][] out = new double[(int) a.rows()][(int) b.columns()];
        for (int i = 0; i < a.rows(); i++) {
            for (int j = 0; j < b.columns(); j++) {
                double sum = 0;
                for (int k = 0; k < a.columns(); k++) {
                    sum += a.getDouble(i, k) * b.getDouble(k, j);
                }
                out[i][j] = sum;
            }
        }
        return out;
    }

    private static void assertClose(double[][] expected, INDArray actual, String what) {
        assertArrayEquals(new long[] {expected.length, expected[0].length}, actual.shape(), what);
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[0].length; j++) {
                assertEquals(expected[i][j], actual.getDouble(i, j), 1e-4 * (1 + Math.abs(expected[i][j])),
                        what + " at [" + i + ", " + j + "]");
            }
        }
    }

    @Test
    void linearMatchesPlainLoopsForEveryLayoutOfBothOperands() {
        Nd4j.getRandom().setSeed(SEED);
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 7).subi(0.5);    // [T, in]
        INDArray w = Nd4j.rand(DataType.FLOAT, 4, 7).subi(0.5);    // [out, in]
        double[][] expected = plain(x, w.transpose());
        int cases = 0;
        for (INDArray xl : layouts(x)) {
            for (INDArray wl : layouts(w)) {
                assertClose(expected, Blas.linear(xl, wl), "linear, x " + describe(xl) + ", w " + describe(wl));
                cases++;
            }
        }
        assertEquals(25, cases);
    }

    @Test
    void gemmMatchesPlainLoopsForEveryLayoutOfBothOperandsTransposedOrNot() {
        Nd4j.getRandom().setSeed(SEED);
        INDArray a = Nd4j.rand(DataType.FLOAT, 6, 9).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, 9, 3).subi(0.5);
        double[][] expected = plain(a, b);
        for (INDArray al : layouts(a)) {
            for (INDArray bl : layouts(b)) {
                String what = "a " + describe(al) + ", b " + describe(bl);
                assertClose(expected, Blas.gemm(al, false, bl, false), "gemm, " + what);
                assertClose(expected, Blas.gemm(al.transpose(), true, bl.transpose(), true), "gemm of transposes, " + what);
            }
        }
    }

    @Test
    void oneRowGoesThroughGemvWithTheSameResults() {
        Nd4j.getRandom().setSeed(SEED);
        INDArray w = Nd4j.rand(DataType.FLOAT, 6, 9).subi(0.5);    // [out, in]
        INDArray row = Nd4j.rand(DataType.FLOAT, 1, 9).subi(0.5);  // [1, in]
        for (INDArray wl : layouts(w)) {
            for (INDArray xl : layouts(row)) {
                assertClose(plain(xl, w.transpose()), Blas.linear(xl, wl), "gemv row " + describe(xl));
            }
        }
    }

    @Test
    void theLayoutsReallyDifferInMemory() {
        // The test above proves nothing unless the layouts reach Blas with different strides and offsets.
        INDArray m = Nd4j.rand(DataType.FLOAT, 5, 7);
        List<INDArray> all = layouts(m);
        assertTrue(all.get(1).stride(0) == 1 && all.get(1).stride(1) == 5, "column-major view");
        assertTrue(all.get(3).offset() > 0 && all.get(3).stride(0) == 10, "row-major view: offset and ld");
        assertTrue(all.get(4).offset() > 0 && all.get(4).stride(1) == 7, "column-major view: offset and ld");
    }

    @Test
    void gemmIntoWritesOneHeadsColumnsOfAWiderArrayAndNothingElse() {
        // Attention writes each head's [T, Hd] result into its columns of [T, H*Hd]: ldc is the wide row.
        Nd4j.getRandom().setSeed(SEED);
        INDArray a = Nd4j.rand(DataType.FLOAT, 5, 7).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, 7, 3).subi(0.5);
        INDArray wide = Nd4j.rand(DataType.FLOAT, 5, 12);
        INDArray before = wide.dup();
        INDArray head = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(6, 9));    // columns 6..8
        for (INDArray al : layouts(a)) {
            for (INDArray bl : layouts(b)) {
                Blas.gemmInto(al, false, bl, false, head);
                assertClose(plain(a, b), head, "into columns 6..8, a " + describe(al) + ", b " + describe(bl));
            }
        }
        INDArray outside = wide.dup();
        outside.get(NDArrayIndex.all(), NDArrayIndex.interval(6, 9)).assign(before.get(NDArrayIndex.all(),
                NDArrayIndex.interval(6, 9)));
        assertEquals(before, outside, "columns outside the head were written");
    }

    @Test
    void gemmIntoRefusesAColumnMajorOutputOrAWrongShape() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 5, 7);
        INDArray b = Nd4j.rand(DataType.FLOAT, 7, 3);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Blas.gemmInto(a, false, b, false, Nd4j.create(DataType.FLOAT, 3, 5).transpose()));
        assertTrue(e.getMessage().startsWith("matrix product into an array that is not row-major"), e.getMessage());
        e = assertThrows(IllegalStateException.class,
                () -> Blas.gemmInto(a, false, b, false, Nd4j.create(DataType.FLOAT, 5, 4)));
        assertEquals("matrix product of [5, 7] and [7, 3] into [5, 4]", e.getMessage());
    }

    @Test
    void mismatchedInnerSizesAreRefusedNotReadPastTheEnd() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 5);
        INDArray w = Nd4j.rand(DataType.FLOAT, 4, 6);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Blas.linear(x, w));
        assertEquals("matrix product of [3, 5] and [6, 4]", e.getMessage());
    }

    @Test
    void aDoubleArrayIsRefusedRatherThanReadAsFloats() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 5);
        INDArray w = Nd4j.rand(DataType.FLOAT, 4, 5);
        assertThrows(IllegalStateException.class, () -> Blas.linear(x, w));
    }

    private static String describe(INDArray a) {
        Function<long[], String> s = java.util.Arrays::toString;
        return a.ordering() + " strides " + s.apply(a.stride()) + " offset " + a.offset();
    }
}
