package mixtral.inspector.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

    /**
     * A caller that got its answer may run again at once: its place is given back before the answer, not when the
     * model thread gets round to asking for more work (with no queue, that race refused every few hundredth run).
     */
    @Test
    void aCallerThatGotItsAnswerIsNeverRefusedItsNextRun() {
        try (ModelRunner runner = new ModelRunner(0)) {
            for (int i = 0; i < 2000; i++) {
                final int n = i;
                assertEquals(Integer.valueOf(n), runner.run("quick", 1, r -> n), "run " + i);
            }
        }
    }

    /** Blocks the runner, fills its queue of {@code waiting} runs and returns how long the next caller is told to wait. */
    private static int retryAfterWhenFull(ModelRunner runner, int waiting) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> running = block(runner, release);
        ExecutorService callers = Executors.newFixedThreadPool(Math.max(1, waiting));
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < waiting; i++) {
            queued.add(CompletableFuture.supplyAsync(() -> runner.run("waiting", 1, r -> 0), callers));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (runner.progress().queued() < waiting && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(waiting, runner.progress().queued(), "the queue did not fill");
        try {
            return assertThrows(BusyException.class, () -> runner.run("one too many", 1, r -> 0)).retryAfterSeconds();
        } finally {
            release.countDown();
            running.get(10, TimeUnit.SECONDS);
            for (CompletableFuture<Integer> q : queued) {
                q.get(10, TimeUnit.SECONDS);
            }
            callers.shutdown();
        }
    }

    /** Runs {@code n} jobs that each take {@code seconds} on the fake clock. */
    private static void runFor(ModelRunner runner, AtomicLong clock, int n, double seconds) {
        for (int i = 0; i < n; i++) {
            runner.run("timed", 1, r -> clock.addAndGet((long) (seconds * 1e9)));
        }
    }

    @Test
    void retryAfterIsTheMeanRecentRunTimeForEveryJobAhead() throws Exception {
        AtomicLong clock = new AtomicLong();
        try (ModelRunner runner = new ModelRunner(2, clock::get)) {
            runFor(runner, clock, 3, 10);
            assertEquals(30, retryAfterWhenFull(runner, 2), "one running and two waiting, 10 s each");
        }
    }

    @Test
    void retryAfterFollowsTheRecentRunsNotTheFirstOnes() throws Exception {
        AtomicLong clock = new AtomicLong();
        try (ModelRunner runner = new ModelRunner(0, clock::get)) {
            runFor(runner, clock, ModelRunner.RECENT_RUNS, 60);
            runFor(runner, clock, ModelRunner.RECENT_RUNS, 2);
            assertEquals(2, retryAfterWhenFull(runner, 0));
        }
    }

    @Test
    void beforeAnyRunFinishedRetryAfterIsHowLongTheCurrentRunHasTakenSoFar() throws Exception {
        AtomicLong clock = new AtomicLong();
        try (ModelRunner runner = new ModelRunner(0, clock::get)) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Integer> running = block(runner, release);
            clock.addAndGet(7_000_000_000L);
            try {
                assertEquals(7, assertThrows(BusyException.class, () -> runner.run("next", 1, r -> 0))
                        .retryAfterSeconds());
            } finally {
                release.countDown();
                running.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void retryAfterIsAtLeastOneSecond() throws Exception {
        AtomicLong clock = new AtomicLong();
        try (ModelRunner runner = new ModelRunner(0, clock::get)) {
            runFor(runner, clock, 3, 0.001);
            assertEquals(1, retryAfterWhenFull(runner, 0));
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
    void aWrappedRecorderReportsEveryFinishedLayer() {
        try (ModelRunner runner = new ModelRunner(1)) {
            var model = mixtral.inspector.Fixtures.demo().model();
            ModelRunner.Progress during = runner.run("tracing", 3, r -> {
                model.forward(new long[] {1, 50, 60}, r.wrap(mixtral.trace.Recorder.NONE));
                return runner.progress();
            });
            int layers = model.config().numHiddenLayers();
            assertEquals(new ModelRunner.Progress(true, "tracing", 3, layers, layers, 0), during);
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
