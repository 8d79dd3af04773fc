package mixtral.safetensors;

import java.util.Arrays;

/**
 * Where one tensor lies in a safetensors file.
 *
 * @param begin byte offset from the start of the file (not of the data section)
 * @param end   exclusive end, from the start of the file
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public long numel() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    public long byteLength() {
        return end - begin;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
