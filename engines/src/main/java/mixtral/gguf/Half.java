package mixtral.gguf;

/** IEEE 754 half precision (binary16) from and to float, rounding to nearest even (Java 17 has no such method). */
final class Half {
    private Half() {}

    static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | mant >>> 13 : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            return (short) (sign | roundShift(mant | 0x800000, 14 - e));
        }
        return (short) (sign | ((e << 10) + roundShift(mant, 13)));   // a carry out of the mantissa bumps the exponent
    }

    /** {@code m >> shift}, rounded to nearest, ties to even. */
    private static int roundShift(int m, int shift) {
        int q = m >>> shift;
        int rem = m & ((1 << shift) - 1);
        int mid = 1 << (shift - 1);
        return rem > mid || (rem == mid && (q & 1) != 0) ? q + 1 : q;
    }

    static float toFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | mant << 13);
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | (exp - 15 + 127) << 23 | mant << 13);
    }
}
