package mixtral.gguf;

import mixtral.BadInputException;

/**
 * The ggml tensor types our GGUF writer produces: their number in the file, how many values a block holds and how
 * many bytes it takes, and the {@code general.file_type} a model made mostly of them declares.
 */
public enum GgmlType {
    F32(0, 1, 4, 0),
    F16(1, 1, 2, 1),
    /** Blocks of 32: an f16 scale, then 16 bytes of 4-bit values offset by 8. */
    Q4_0(2, 32, 18, 2),
    /** Blocks of 32: an f16 scale, then 32 signed bytes. */
    Q8_0(8, 32, 34, 7);

    /** The type's number in a GGUF tensor record ({@code enum ggml_type}). */
    public final int id;
    /** Values per block. */
    public final int blockSize;
    /** Bytes per block. */
    public final int blockBytes;
    /** {@code general.file_type} of a file whose weight matrices are of this type ({@code enum llama_ftype}). */
    public final int fileType;

    GgmlType(int id, int blockSize, int blockBytes, int fileType) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
        this.fileType = fileType;
    }

    /** Bytes of {@code values} values, a whole number of blocks. */
    public long bytes(long values) {
        if (values % blockSize != 0) {
            throw new IllegalArgumentException(values + " values are not whole blocks of " + blockSize + " for " + this);
        }
        return values / blockSize * blockBytes;
    }

    /** Whether rows of {@code rowLength} values can be stored in this type (quantised rows are whole blocks). */
    public boolean fitsRows(long rowLength) {
        return rowLength % blockSize == 0;
    }

    /** Encodes values (a whole number of blocks) in this type, little-endian. */
    public byte[] encode(float[] values) {
        return switch (this) {
            case F32 -> Quantize.f32(values);
            case F16 -> Quantize.f16(values);
            case Q8_0 -> Quantize.q8_0(values);
            case Q4_0 -> Quantize.q4_0(values);
        };
    }

    /** Decodes what {@link #encode} wrote: the values this type represents. */
    public float[] decode(byte[] data) {
        return switch (this) {
            case F32 -> Quantize.fromF32(data);
            case F16 -> Quantize.fromF16(data);
            case Q8_0 -> Quantize.fromQ8_0(data);
            case Q4_0 -> Quantize.fromQ4_0(data);
        };
    }

    /** The type named on the command line ({@code F32}, {@code F16}, {@code Q8_0}, {@code Q4_0}), any case. */
    public static GgmlType parse(String name) {
        for (GgmlType t : values()) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new BadInputException("unknown type '" + name + "': use F32, F16, Q8_0 or Q4_0");
    }
}
