package mixtral.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The precision the router's input and weight are rounded to before the gate product, as fast engines store them.
 * The product itself is computed in float32 either way; only the rounding of its operands differs, so the tokens
 * whose routing flips are those whose router margin is smaller than the rounding can move it.
 */
public enum RouterPrecision {
    /** No rounding: the reference. */
    F32,
    /** bfloat16: 8 significant bits, float32's exponent range; round to nearest, ties to even. */
    BF16,
    /** IEEE half: 11 significant bits, largest finite value 65504; round to nearest, ties to even. */
    F16;

    /** A float32 copy of {@code a} whose values are exactly representable in this precision. */
    INDArray round(INDArray a) {
        if (this == F32) {
            return a;
        }
        float[] v = a.dup('c').data().asFloat();
        for (int i = 0; i < v.length; i++) {
            v[i] = round(v[i]);
        }
        return Nd4j.create(v, a.shape(), 'c');
    }

    /** One value rounded to this precision (and back to float32, exactly). */
    public float round(float f) {
        return switch (this) {
            case F32 -> f;
            case BF16 -> toBfloat16(f);
            case F16 -> toHalf(f);
        };
    }

    private static float toBfloat16(float f) {
        if (Float.isNaN(f)) {
            return f;
        }
        int bits = Float.floatToRawIntBits(f);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);     // add half an ulp of bf16, ties to the even neighbour
        return Float.intBitsToFloat(rounded & 0xFFFF0000);
    }

    private static float toHalf(float f) {
        if (Float.isNaN(f) || Float.isInfinite(f)) {
            return f;
        }
        double a = Math.abs(f);
        if (a >= 65520) {                       // halfway between 65504 and 2^16 rounds to even, which overflows
            return Math.copySign(Float.POSITIVE_INFINITY, f);
        }
        double quantum = a < 0x1p-14 ? 0x1p-24 : Math.scalb(1.0, Math.getExponent(a) - 10);   // subnormal or normal
        return (float) Math.copySign(Math.rint(a / quantum) * quantum, f);                   // rint: ties to even
    }
}
