package dev.fusedstep.init;

/**
 * The float32 logarithm and sine/cosine that Box-Muller uses, built only from operations that
 * IEEE 754 rounds exactly (add, multiply, fused multiply-add, integer bit moves), so that Java
 * (scalar or Vector API) and a CUDA kernel ({@code __fmaf_rn}, {@code __fmul_rn},
 * {@code __fadd_rn}) get the same bits. Library functions would not: Java's {@code Math.log}
 * may use an intrinsic, and CUDA's {@code logf}/{@code sincosf} differ from every Java one.
 * Accuracy: a few ulp, plenty for sampling.
 */
final class Float32Math {
    private Float32Math() {}

    static final float SQRT_HALF = 0.70710677f;
    // Cephes logf: log(1 + x) = x - x^2/2 + x^3 P(x), |x| <= sqrt(2)/2 - ... ; ln 2 split in two.
    static final float L8 = 7.0376836292e-2f;
    static final float L7 = -1.1514610310e-1f;
    static final float L6 = 1.1676998740e-1f;
    static final float L5 = -1.2420140846e-1f;
    static final float L4 = 1.4249322787e-1f;
    static final float L3 = -1.6668057665e-1f;
    static final float L2 = 2.0000714765e-1f;
    static final float L1 = -2.4999993993e-1f;
    static final float L0 = 3.3333331174e-1f;
    static final float LN2_LO = -2.12194440e-4f;
    static final float LN2_HI = 0.693359375f;

    /**
     * Natural logarithm of a positive normal float (the Box-Muller uniform, in [2^-24, 1]):
     * {@code x = m 2^e}, {@code m} in [sqrt(1/2), sqrt(2)), then Cephes' polynomial in
     * {@code m - 1} with fma Horner steps.
     */
    static float log(float value) {
        int bits = Float.floatToRawIntBits(value);
        int e = (bits >>> 23) - 126;
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F000000); // [0.5, 1)
        float x;
        if (m < SQRT_HALF) {
            e -= 1;
            x = (m + m) - 1f;
        } else {
            x = m - 1f;
        }
        float z = x * x;
        float p = L8;
        p = Math.fma(p, x, L7);
        p = Math.fma(p, x, L6);
        p = Math.fma(p, x, L5);
        p = Math.fma(p, x, L4);
        p = Math.fma(p, x, L3);
        p = Math.fma(p, x, L2);
        p = Math.fma(p, x, L1);
        p = Math.fma(p, x, L0);
        float fe = e;
        float y = (p * x) * z;
        y = Math.fma(fe, LN2_LO, y);
        y = Math.fma(z, -0.5f, y);
        float r = x + y;
        return Math.fma(fe, LN2_HI, r);
    }

    // Taylor coefficients of sin(2 pi f) / f and cos(2 pi f), float32-rounded; |f| <= 1/8 turn.
    static final float S1 = 6.2831855f;
    static final float S3 = -41.3417f;
    static final float S5 = 81.60525f;
    static final float S7 = -76.70586f;
    static final float S9 = 42.058693f;
    static final float C2 = -19.739208f;
    static final float C4 = 64.93939f;
    static final float C6 = -85.45682f;
    static final float C8 = 60.24464f;
    static final float C10 = -26.426256f;

    /**
     * The turn {@code t = turns24 / 2^24} reduced exactly: the nearest quarter turn {@code q}
     * (0..3) and the rest {@code f = t - q/4} in [-1/8, 1/8), as a float (exact: 22 bits).
     */
    static int quadrant(int turns24) {
        return ((turns24 + (1 << 21)) >>> 22) & 3;
    }

    static float remainder(int turns24) {
        int q = (turns24 + (1 << 21)) >>> 22;
        return (turns24 - (q << 22)) * 0x1p-24f;
    }

    /** sin(2 pi f) for |f| <= 1/8. */
    static float sinTurns(float f) {
        float f2 = f * f;
        float p = S9;
        p = Math.fma(p, f2, S7);
        p = Math.fma(p, f2, S5);
        p = Math.fma(p, f2, S3);
        p = Math.fma(p, f2, S1);
        return p * f;
    }

    /** cos(2 pi f) for |f| <= 1/8. */
    static float cosTurns(float f) {
        float f2 = f * f;
        float p = C10;
        p = Math.fma(p, f2, C8);
        p = Math.fma(p, f2, C6);
        p = Math.fma(p, f2, C4);
        p = Math.fma(p, f2, C2);
        return Math.fma(p, f2, 1f);
    }

    /** cos(2 pi turns24 / 2^24). */
    static float cos2pi(int turns24) {
        float f = remainder(turns24);
        return switch (quadrant(turns24)) {
            case 0 -> cosTurns(f);
            case 1 -> -sinTurns(f);
            case 2 -> -cosTurns(f);
            default -> sinTurns(f);
        };
    }

    /** sin(2 pi turns24 / 2^24). */
    static float sin2pi(int turns24) {
        float f = remainder(turns24);
        return switch (quadrant(turns24)) {
            case 0 -> sinTurns(f);
            case 1 -> cosTurns(f);
            case 2 -> -sinTurns(f);
            default -> -cosTurns(f);
        };
    }
}
