package dev.fusedstep.init;

/**
 * fdlibm's {@code __ieee754_log} (e_log.c, which {@link StrictMath#log} is) for the arguments the
 * truncated normal's tail takes: positive normal doubles below {@code sqrt(2) / 2}, where the
 * exponent {@code k} after the reduction is never 0 and fdlibm's {@code k == 0} shortcuts never
 * run. Written out so that {@link VectorTruncNormal#logs} can follow it lane by lane: the same
 * operations in the same order, no fma (the JIT never contracts). On those arguments it gives
 * {@link StrictMath#log}'s bits (FdlibmLogTest); the CUDA twin is {@code log_fdlibm} in
 * native/src/main/cuda/tensor/erf.cuh, fdlibm in full.
 *
 * <p>x = 2^k (1 + f) with sqrt(2)/2 < 1 + f < sqrt(2); log(1 + f) = f - s (f - R) with
 * s = f / (2 + f) and R a degree-14 fit in s, or a Taylor start for |f| < 2^-20 (which also
 * gives fdlibm's {@code k ln2} for f = 0: {@code a - ((0 - b) - 0)} is {@code a + b} exactly).
 */
final class FdlibmLog {
    private FdlibmLog() {}

    static final double LN2_HI = 6.93147180369123816490e-01;
    static final double LN2_LO = 1.90821492927058770002e-10;
    static final double LG1 = 6.666666666666735130e-01;
    static final double LG2 = 3.999999999940941908e-01;
    static final double LG3 = 2.857142874366239149e-01;
    static final double LG4 = 2.222219843214978396e-01;
    static final double LG5 = 1.818357216161805012e-01;
    static final double LG6 = 1.531383769920937332e-01;
    static final double LG7 = 1.479819860511658591e-01;
    static final double THIRD = 0.33333333333333333;

    /** log(x) for a normal {@code 0 < x < sqrt(2) / 2}; other arguments give unspecified finite values. */
    static double log(double x) {
        long bits = Double.doubleToRawLongBits(x);
        int hx = (int) (bits >>> 32);
        int k = (hx >> 20) - 1023;
        hx &= 0x000fffff;
        int i0 = (hx + 0x95f64) & 0x100000;
        // x or x / 2 into [sqrt(2)/2, sqrt(2)): the high word's exponent replaced
        double reduced = Double.longBitsToDouble(((long) (hx | (i0 ^ 0x3ff00000)) << 32) | (bits & 0xFFFFFFFFL));
        k += i0 >> 20;
        double f = reduced - 1.0;
        double dk = k;
        if ((0x000fffff & (2 + hx)) < 3) { // |f| < 2^-20
            double r = f * f * (0.5 - THIRD * f);
            return dk * LN2_HI - ((r - dk * LN2_LO) - f);
        }
        double s = f / (2.0 + f);
        double z = s * s;
        double w = z * z;
        double t1 = w * (LG2 + w * (LG4 + w * LG6));
        double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
        double r = t2 + t1;
        if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) { // 1 + f in fdlibm's middle band: the hfsq form
            double hfsq = 0.5 * f * f;
            return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
        }
        return dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
    }
}
