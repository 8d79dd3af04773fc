package mixtral.inspector.engine;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import mixtral.trace.Recorder;

/**
 * Runs the model one job at a time on its own thread, with a bounded queue: a forward pass uses every core, so two at
 * once would only be slower, and an unbounded queue would let one client starve the rest. A job beyond the queue is
 * refused with {@link BusyException} at once. The current job's progress (layer i of L) is readable at any time.
 */
public final class ModelRunner implements AutoCloseable {
    /**
     * What the model is doing: idle, or a task over {@code tokens} tokens that has finished {@code layer} of
     * {@code layers} decoder layers (0 of 0 before the first layer reports), with {@code queued} runs waiting.
     */
    public record Progress(boolean running, String task, int tokens, int layer, int layers, int queued) {}

    /** Lets a job report where it is. */
    public final class Reporter {
        /** Names the phase of the job, e.g. "generating token 3 of 8" over 12 tokens, and resets the layer count. */
        public void phase(String task, int tokens) {
            show(new Progress(true, task, tokens, 0, 0, 0));
        }

        /** A recorder that passes everything to {@code delegate} and reports each finished layer. */
        public Recorder wrap(Recorder delegate) {
            return new Recorder() {
                @Override
                public boolean wants(String name) {
                    return delegate.wants(name);
                }

                @Override
                public void record(String name, org.nd4j.linalg.api.ndarray.INDArray value) {
                    delegate.record(name, value);
                }

                @Override
                public void layerDone(int layer, int layers) {
                    delegate.layerDone(layer, layers);
                    Progress p = current;
                    show(new Progress(true, p.task(), p.tokens(), layer + 1, layers, 0));
                }
            };
        }
    }

    private static final Progress IDLE = new Progress(false, "idle", 0, 0, 0, 0);

    /** How many finished runs the wait estimate averages: recent enough to follow a change of prompt lengths. */
    static final int RECENT_RUNS = 8;

    /** One thread; its queue is unbounded because admission is the semaphore's, decided before a job is queued. */
    private final ThreadPoolExecutor pool;
    /** The running job and the waiting ones: {@code queue + 1} permits, released before the caller gets its result. */
    private final Semaphore admitted;
    private final int capacity;
    private final LongSupplier nanoClock;
    private final long[] recentNanos = new long[RECENT_RUNS];
    private int finished;
    private volatile long runningSinceNanos;
    private volatile Progress current = IDLE;
    private volatile Consumer<Progress> observer = p -> {};

    public ModelRunner(int queue) {
        this(queue, System::nanoTime);
    }

    /** With the clock that times the runs (nanoseconds), so that tests can pin the {@code Retry-After} estimate. */
    ModelRunner(int queue, LongSupplier nanoClock) {
        this.capacity = queue + 1;
        this.admitted = new Semaphore(capacity);
        this.nanoClock = nanoClock;
        pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "model-runner");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs the job on the model thread and waits for it; throws {@link BusyException} if the queue is full. The
     * job's place is given back before this returns, so a caller may run its next job at once.
     */
    public <T> T run(String task, int tokens, Function<Reporter, T> job) {
        if (!admitted.tryAcquire()) {
            throw busy();
        }
        AtomicBoolean claimed = new AtomicBoolean();        // by the job when it starts, or by a cancel before that
        Future<T> future;
        try {
            future = pool.submit(() -> {
                if (!claimed.compareAndSet(false, true)) {
                    return null;
                }
                long start = nanoClock.getAsLong();
                runningSinceNanos = start;
                show(new Progress(true, task, tokens, 0, 0, 0));
                try {
                    return job.apply(new Reporter());
                } finally {
                    finished(nanoClock.getAsLong() - start);
                    show(IDLE);
                    admitted.release();
                }
            });
        } catch (RejectedExecutionException e) {
            admitted.release();
            throw new IllegalStateException("the model runner is closed", e);
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            if (claimed.compareAndSet(false, true)) {
                admitted.release();
            }
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the model", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Every place is taken: the running job and {@code queue} waiting ones are ahead of this request, each expected
     * to take as long as the recent runs did on average (before any run finished: as long as the current one has
     * run so far), and at least one second in all.
     */
    private BusyException busy() {
        double seconds = meanRunNanos() / 1e9 * capacity;
        return new BusyException(capacity - 1, (int) Math.max(1, Math.ceil(seconds)));
    }

    private synchronized void finished(long nanos) {
        recentNanos[finished % RECENT_RUNS] = nanos;
        finished++;
    }

    private synchronized double meanRunNanos() {
        int n = Math.min(finished, RECENT_RUNS);
        if (n == 0) {
            return current.running() ? nanoClock.getAsLong() - runningSinceNanos : 0;
        }
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += recentNanos[i];
        }
        return (double) sum / n;
    }

    private void show(Progress p) {
        current = p;
        observer.accept(p);
    }

    /** Hears every change of progress, on the model thread; lets tests see phases that polling could miss. */
    void observe(Consumer<Progress> observer) {
        this.observer = observer;
    }

    public Progress progress() {
        Progress p = current;
        return new Progress(p.running(), p.task(), p.tokens(), p.layer(), p.layers(), pool.getQueue().size());
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
