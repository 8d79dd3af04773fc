package mixtral.inspector.engine;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
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

    private final ThreadPoolExecutor pool;
    private volatile Progress current = IDLE;
    private volatile double meanSeconds = 1;
    private volatile Consumer<Progress> observer = p -> {};

    public ModelRunner(int queue) {
        BlockingQueue<Runnable> waiting = queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue);
        pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, waiting, r -> {
            Thread t = new Thread(r, "model-runner");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs the job on the model thread and waits for it; throws {@link BusyException} if the queue is full. */
    public <T> T run(String task, int tokens, Function<Reporter, T> job) {
        Future<T> future;
        try {
            future = pool.submit(() -> {
                long start = System.nanoTime();
                show(new Progress(true, task, tokens, 0, 0, 0));
                try {
                    return job.apply(new Reporter());
                } finally {
                    show(IDLE);
                    meanSeconds = 0.7 * meanSeconds + 0.3 * (System.nanoTime() - start) / 1e9;
                }
            });
        } catch (RejectedExecutionException e) {
            int queued = pool.getQueue().size();
            throw new BusyException(queued, (int) Math.max(1, Math.ceil(meanSeconds * (queued + 1))));
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the model", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
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
