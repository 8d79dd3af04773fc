package mixtral.inspector.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/** Lets tests in other packages occupy a {@link ModelRunner} (see {@link ModelRunnerTest#block}). */
public final class ModelRunnerProbe {
    private ModelRunnerProbe() {}

    public static CompletableFuture<Integer> block(ModelRunner runner, CountDownLatch release)
            throws InterruptedException {
        return ModelRunnerTest.block(runner, release);
    }
}
