package mixtral.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import mixtral.trace.Recorder;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class RmsNormAndRopeTest {
    @Test
    void rmsNormDividesByRootMeanSquareThenScales() {
        INDArray x = Nd4j.createFromArray(new float[][] {{1, 2, 3, 4}, {-2, 0, 0, 2}});
        INDArray w = Nd4j.createFromArray(1f, 0.5f, 2f, -1f);
        float[][] y = new RmsNorm(w, 1e-5, "n").forward(x, Recorder.NONE).toFloatMatrix();
        double rms0 = Math.sqrt((1 + 4 + 9 + 16) / 4.0 + 1e-5);
        assertEquals(3 * 2 / rms0, y[0][2], 1e-5);
        assertEquals(-4 / rms0, y[0][3], 1e-5);
        double rms1 = Math.sqrt(8 / 4.0 + 1e-5);
        assertEquals(-2 / rms1, y[1][0], 1e-5);
    }

    @Test
    void ropePreservesNorm() {
        Rope rope = new Rope(8, 10000);
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 5, 16).subi(0.5);   // 5 tokens, 2 heads
        INDArray y = rope.apply(x, 2, 37);
        for (int t = 0; t < 5; t++) {
            for (int h = 0; h < 2; h++) {
                INDArray a = x.getRow(t).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(h * 8, h * 8 + 8));
                INDArray b = y.getRow(t).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(h * 8, h * 8 + 8));
                assertEquals(a.norm2Number().doubleValue(), b.norm2Number().doubleValue(), 1e-5);
            }
        }
    }

    @Test
    void ropeLeavesPositionZeroUnchanged() {
        Rope rope = new Rope(8, 10000);
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 8);
        assertEquals(0, x.sub(rope.apply(x, 1, 0)).amaxNumber().doubleValue(), 1e-7);
    }

    @Test
    void queryKeyDotDependsOnlyOnRelativePosition() {
        Rope rope = new Rope(8, 1e6);
        INDArray q = Nd4j.createFromArray(new float[][] {{0.3f, -1f, 0.5f, 2f, 1f, 0.1f, -0.7f, 0.4f}});
        INDArray k = Nd4j.createFromArray(new float[][] {{1f, 0.2f, -0.3f, 0.8f, -1.2f, 0.6f, 0.9f, -0.1f}});
        double near = rope.apply(q, 1, 7).mul(rope.apply(k, 1, 3)).sumNumber().doubleValue();    // distance 4
        double far = rope.apply(q, 1, 104).mul(rope.apply(k, 1, 100)).sumNumber().doubleValue(); // distance 4
        double other = rope.apply(q, 1, 9).mul(rope.apply(k, 1, 3)).sumNumber().doubleValue();   // distance 6
        assertEquals(near, far, 1e-4);
        assertEquals(false, Math.abs(near - other) < 1e-3, "a different distance gives a different score");
    }

    @Test
    void ropeRotatesDimensionIWithIPlusHalfHeadDim() {
        Rope rope = new Rope(4, 10000);
        INDArray x = Nd4j.createFromArray(new float[][] {{1, 0, 0, 0}});    // only dimension 0 set
        float[] y = rope.apply(x, 1, 1).toFloatVector();
        assertEquals(Math.cos(1.0), y[0], 1e-6);    // angle = position 1 * theta^0
        assertEquals(Math.sin(1.0), y[2], 1e-6);    // its partner is dimension 0 + Hd/2
        assertEquals(0, y[1], 0);
        assertEquals(0, y[3], 0);
    }
}
