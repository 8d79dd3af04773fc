package mixtral.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encoding and decoding of the ggml types we write. Q8_0 and Q4_0 follow ggml's reference quantisers: Q8_0 scales a
 * block of 32 by its largest magnitude / 127 and rounds half away from zero; Q4_0 divides by the value of largest
 * magnitude / -8 (so that value maps to -8 exactly) and stores {@code min(15, trunc(x/d + 8.5))}, value j of the
 * block in the low nibble of byte j and value j+16 in its high nibble. Scales are stored as f16.
 */
public final class Quantize {
    static final int BLOCK = 32;

    private Quantize() {}

    static byte[] f32(float[] v) {
        ByteBuffer b = buffer(v.length * 4L);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    static float[] fromF32(byte[] data) {
        float[] v = new float[data.length / 4];
        wrap(data).asFloatBuffer().get(v);
        return v;
    }

    static byte[] f16(float[] v) {
        ByteBuffer b = buffer(v.length * 2L);
        for (float x : v) {
            b.putShort(Half.fromFloat(x));
        }
        return b.array();
    }

    static float[] fromF16(byte[] data) {
        ByteBuffer b = wrap(data);
        float[] v = new float[data.length / 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = Half.toFloat(b.getShort());
        }
        return v;
    }

    static byte[] q8_0(float[] v) {
        ByteBuffer b = buffer(GgmlType.Q8_0.bytes(v.length));
        for (int start = 0; start < v.length; start += BLOCK) {
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(v[start + j]));
            }
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            b.putShort(Half.fromFloat(d));
            for (int j = 0; j < BLOCK; j++) {
                b.put((byte) roundHalfAway(v[start + j] * id));
            }
        }
        return b.array();
    }

    static float[] fromQ8_0(byte[] data) {
        ByteBuffer b = wrap(data);
        float[] v = new float[data.length / GgmlType.Q8_0.blockBytes * BLOCK];
        for (int start = 0; start < v.length; start += BLOCK) {
            float d = Half.toFloat(b.getShort());
            for (int j = 0; j < BLOCK; j++) {
                v[start + j] = b.get() * d;
            }
        }
        return v;
    }

    static byte[] q4_0(float[] v) {
        ByteBuffer b = buffer(GgmlType.Q4_0.bytes(v.length));
        for (int start = 0; start < v.length; start += BLOCK) {
            float amax = 0;
            float max = 0;
            for (int j = 0; j < BLOCK; j++) {
                if (amax < Math.abs(v[start + j])) {
                    amax = Math.abs(v[start + j]);
                    max = v[start + j];
                }
            }
            float d = max / -8f;
            float id = d != 0 ? 1f / d : 0f;
            b.putShort(Half.fromFloat(d));
            for (int j = 0; j < BLOCK / 2; j++) {
                int lo = Math.min(15, (int) (v[start + j] * id + 8.5f));
                int hi = Math.min(15, (int) (v[start + BLOCK / 2 + j] * id + 8.5f));
                b.put((byte) (lo | hi << 4));
            }
        }
        return b.array();
    }

    static float[] fromQ4_0(byte[] data) {
        ByteBuffer b = wrap(data);
        float[] v = new float[data.length / GgmlType.Q4_0.blockBytes * BLOCK];
        for (int start = 0; start < v.length; start += BLOCK) {
            float d = Half.toFloat(b.getShort());
            for (int j = 0; j < BLOCK / 2; j++) {
                int q = b.get() & 0xff;
                v[start + j] = ((q & 0xf) - 8) * d;
                v[start + BLOCK / 2 + j] = ((q >> 4) - 8) * d;
            }
        }
        return v;
    }

    /** C's {@code roundf}: halves go away from zero (Java's Math.round sends -2.5 to -2). */
    static int roundHalfAway(float x) {
        double r = Math.floor(Math.abs((double) x) + 0.5);
        return (int) (x < 0 ? -r : r);
    }

    private static ByteBuffer buffer(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(bytes + " bytes: encode a tensor in parts of under 2 GiB");
        }
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer wrap(byte[] data) {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }
}
