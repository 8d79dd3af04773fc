package mixtral.model;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Every BLAS call of the model passes here, so that the process can always exit. The OpenBLAS that ND4J 1.0.0-M2.1
 * ships (0.3.19) joins its worker threads in a library destructor when the process exits, and when the exit (a
 * SIGTERM, Ctrl-C, {@code System.exit}) comes while another thread is inside a matrix product, that join never
 * returns: the process hangs with every thread asleep. Measured here: {@code trace} ignored SIGTERM for ten minutes
 * (gdb: the VM thread in {@code gotoblas_quit -> blas_thread_shutdown_ -> pthread_join}); a test program exiting
 * during 3000 x 3000 products hung one time in three. So a shutdown hook closes the gate: it waits for the product
 * in flight (one matrix product, seconds at most), lets no new one start, and the exit then finds BLAS idle.
 */
public final class BlasGate {
    /** How long the exit waits for a product in flight before it goes ahead anyway. */
    private static final long WAIT_SECONDS = 30;
    private static final ReentrantReadWriteLock LOCK = new ReentrantReadWriteLock();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(BlasGate::close, "close BLAS gate"));
    }

    private BlasGate() {}

    /**
     * Runs one BLAS call; many may run at once, none once the process is exiting (the caller then waits for it).
     * Public for the benchmarks, which time bare products.
     */
    public static <T> T call(Supplier<T> product) {
        LOCK.readLock().lock();
        try {
            return product.get();
        } finally {
            LOCK.readLock().unlock();
        }
    }

    private static void close() {
        try {
            LOCK.writeLock().tryLock(WAIT_SECONDS, TimeUnit.SECONDS);      // never released: the process is ending
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
