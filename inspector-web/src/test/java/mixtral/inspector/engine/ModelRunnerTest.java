package mixtral.inspector.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ModelRunnerTest {

    /** Occupies the runner until {@code release} counts down; returns once the job is running. */
    static CompletableFuture<Integer> block(ModelRunner runner, CountDownLatch release) throws InterruptedException {
        CompletableFuture<Integer> f = CompletableFuture.supplyAsync(() -> runner.run("blocking", 1, r -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 1;
        }));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!runner.progress().running() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(runner.progress().running(), "the blocking job did not start");
        return f;
    }

    @Test
    void aJobBeyondTheQueueIsRefusedWithARetryTime() throws Exception {
        try (ModelRunner runner = new ModelRunner(0)) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Integer> running = block(runner, release);
            BusyException e = assertThrows(BusyException.class, () -> runner.run("second", 1, r -> 2));
            assertTrue(e.retryAfterSeconds() >= 1);
            release.countDown();
            assertEquals(1, running.get(10, TimeUnit.SECONDS));
            assertEquals(Integer.valueOf(3), runner.run("after", 1, r -> 3), "the runner takes work again once free");
        }
    }

    @Test
    void progressNamesTheTaskAndItsTokensWhileRunningAndIsIdleAfter() throws Exception {
        try (ModelRunner runner = new ModelRunner(1)) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Integer> running = block(runner, release);
            ModelRunner.Progress p = runner.progress();
            assertEquals("blocking", p.task());
            assertEquals(1, p.tokens());
            release.countDown();
            running.get(10, TimeUnit.SECONDS);
            assertFalse(runner.progress().running());
        }
    }

    @Test
    void aFailingJobsExceptionReachesTheCaller() {
        try (ModelRunner runner = new ModelRunner(1)) {
            assertThrows(IllegalArgumentException.class, () -> runner.run("fails", 1, r -> {
                throw new IllegalArgumentException("boom");
            }));
        }
    }
}
