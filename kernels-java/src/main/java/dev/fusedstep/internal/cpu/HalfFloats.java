package dev.fusedstep.internal.cpu;

/**
 * Scalar bit conversions between float32 and the two half formats, round-to-nearest-even,
 * written as the same integer steps the vector casts take (so both give the same bits, NaNs
 * included). BF16 follows PyTorch's c10::BFloat16 (NaN becomes 0x7FC0); F16 follows the IEEE
 * binary16 rounding of Float.floatToFloat16 (NaN becomes the quiet 0x7E00, with its sign).
 */
final class HalfFloats {
    private HalfFloats() {}

    static float bf16ToFloat(short h) {
        return Float.intBitsToFloat((h & 0xFFFF) << 16);
    }

    static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (f != f) {
            return (short) 0x7FC0;
        }
        int roundingBias = ((bits >>> 16) & 1) + 0x7FFF;
        return (short) ((bits + roundingBias) >>> 16);
    }

    // binary16 constants, in float32 bit positions
    static final int F16_EXP_SHIFTED = 0x7C00 << 13;
    static final int F16_REBIAS = (127 - 15) << 23;
    static final int F16_INF_NAN_EXTRA = (128 - 16) << 23;
    static final int F16_SUBNORMAL_MAGIC = 113 << 23;
    /** 65536.0f: from here on (and from 65520 after rounding) a value is infinite in binary16. */
    static final int F16_OVERFLOW = (127 + 16) << 23;
    static final int F32_INFINITY = 255 << 23;
    /** Adding this float to a tiny magnitude lets the FPU round it to a binary16 subnormal. */
    static final int F16_DENORM_MAGIC = ((127 - 15) + (23 - 10) + 1) << 23;

    static float f16ToFloat(short h) {
        int o = (h & 0x7FFF) << 13;
        int exp = o & F16_EXP_SHIFTED;
        o += F16_REBIAS;
        if (exp == F16_EXP_SHIFTED) {
            o += F16_INF_NAN_EXTRA;
        } else if (exp == 0) {
            o += 1 << 23;
            o = Float.floatToRawIntBits(Float.intBitsToFloat(o) - Float.intBitsToFloat(F16_SUBNORMAL_MAGIC));
        }
        return Float.intBitsToFloat(o | ((h & 0x8000) << 16));
    }

    static short floatToF16(float value) {
        int f = Float.floatToRawIntBits(value);
        int sign = f & 0x80000000;
        f ^= sign;
        int o;
        if (f >= F16_OVERFLOW) {
            o = f > F32_INFINITY ? 0x7E00 : 0x7C00;
        } else if (f < F16_SUBNORMAL_MAGIC) {
            o = Float.floatToRawIntBits(Float.intBitsToFloat(f) + Float.intBitsToFloat(F16_DENORM_MAGIC)) - F16_DENORM_MAGIC;
        } else {
            int mantissaOdd = (f >>> 13) & 1;
            f += ((15 - 127) << 23) + 0xFFF;
            f += mantissaOdd;
            o = f >>> 13;
        }
        return (short) (o | (sign >>> 16));
    }
}
