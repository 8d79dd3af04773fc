package mixtral.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A process for {@link SigtermTest}: multiplies 3000 x 3000 matrices through the model's {@link Blas} in a loop, in a
 * thread that never ends by itself, and says "ready" once the first product is done.
 */
public final class ProductsUntilKilled {
    private ProductsUntilKilled() {}

    public static void main(String[] args) {
        INDArray x = Nd4j.rand(3000, 3000);
        INDArray w = Nd4j.rand(3000, 3000);
        Blas.linear(x, w);
        System.out.println("ready");
        System.out.flush();
        new Thread(() -> {
            while (true) {
                Blas.linear(x, w);
            }
        }).start();
    }
}
