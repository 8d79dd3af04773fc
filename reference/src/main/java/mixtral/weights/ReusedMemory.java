package mixtral.weights;

import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Memory a released weight leaves behind, offered to the next weight converted on the same thread. Fresh memory
 * costs more than it seems: the kernel must find and zero every page before the conversion writes it (for one
 * streamed layer of Mixtral 8x7B, 5.8 GB of float32), and that was the largest share of a streamed layer's time.
 * The offer holds for one conversion; an offer nobody takes is freed.
 */
public final class ReusedMemory {
    private static final ThreadLocal<DataBuffer> OFFER = new ThreadLocal<>();

    private ReusedMemory() {}

    /** Runs {@code load} with {@code buffer} (float32, no longer used by anything) on offer, and returns its result. */
    public static <T> T offering(DataBuffer buffer, Supplier<T> load) {
        OFFER.set(buffer);
        try {
            return load.get();
        } finally {
            DataBuffer untaken = OFFER.get();
            OFFER.remove();
            if (untaken != null && untaken.closeable()) {
                untaken.close();
            }
        }
    }

    /** An uninitialised float32 array of this shape, in C order: the offered memory when it is exactly this size. */
    public static INDArray floats(long... shape) {
        DataBuffer offer = OFFER.get();
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (offer != null && offer.dataType() == DataType.FLOAT && offer.length() == n) {
            OFFER.remove();
            return Nd4j.create(offer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c');
        }
        return Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    }
}
