// The double-precision functions of the truncated normal with the bits of the CPU's
// (kernels-java/.../init/Erf.java, NormalQuantile.java, FdlibmLog.java): erf for the bounds and the
// normal quantile for the samples use only IEEE arithmetic plus StrictMath.exp and StrictMath.log,
// which are fdlibm's e_exp.c and e_log.c (the same bits on every JVM). CUDA's exp and log are not
// those functions, so exp_fdlibm and log_fdlibm follow fdlibm's algorithms step for step (its
// argument reductions, constants and evaluation order; Sun's fdlibm is freely redistributable); the
// host emulation test checks them against StrictMath on many arguments. Compiled with -fmad=false:
// no multiply-add is contracted, as Java never contracts; __fma_rn exactly where Java calls
// Math.fma. Every division and square root is IEEE (nvcc's double / and sqrt are).
#pragma once
#include <cstdint>

namespace fs_erf {

__device__ __forceinline__ int hi_word(double x) { return (int)(__double_as_longlong(x) >> 32); }
__device__ __forceinline__ uint32_t lo_word(double x) { return (uint32_t)__double_as_longlong(x); }
__device__ __forceinline__ double with_hi_word(double x, int hi) {
    return __longlong_as_double(((long long)hi << 32) | (long long)lo_word(x));
}

// ---------------------------------------------------------------------------------------------
// exp: x = k ln2 + r, |r| <= ln2 / 2 (ln2 split in a hi part with trailing zeros and a lo part),
// exp(r) from a degree-5 rational remez fit R(r^2), then scaled by 2^k in the exponent bits.
constexpr double TWO_M1000 = 9.33263618503218878990e-302;   // 2^-1000
constexpr double O_THRESHOLD = 7.09782712893383973096e+02;  // above: overflow
constexpr double U_THRESHOLD = -7.45133219101941108420e+02; // below: underflow
constexpr double LN2_HI = 6.93147180369123816490e-01;
constexpr double LN2_LO = 1.90821492927058770002e-10;
constexpr double INV_LN2 = 1.44269504088896338700e+00;
constexpr double P1 = 1.66666666666666019037e-01;
constexpr double P2 = -2.77777777770155933842e-03;
constexpr double P3 = 6.61375632143793436117e-05;
constexpr double P4 = -1.65339022054652515390e-06;
constexpr double P5 = 4.13813679705723846039e-08;

__device__ inline double exp_fdlibm(double x) {
    int hx = hi_word(x);
    const int xsb = (int)(((uint32_t)hx >> 31) & 1u);
    hx &= 0x7fffffff;
    if (hx >= 0x40862E42) {  // |x| >= 709.78
        if (hx >= 0x7ff00000) {
            if (((hx & 0xfffff) | (int)lo_word(x)) != 0) return x + x;  // NaN
            return xsb == 0 ? x : 0.0;                                   // exp(+-inf) = inf, 0
        }
        // fdlibm returns huge * huge and 2^-1000 * 2^-1000 (to raise the flags): +inf and +0
        if (x > O_THRESHOLD) return __longlong_as_double(0x7ff0000000000000LL);
        if (x < U_THRESHOLD) return 0.0;
    }
    double hi = 0.0, lo = 0.0;
    int k = 0;
    if (hx > 0x3fd62e42) {  // |x| > ln2 / 2
        if (hx < 0x3FF0A2B2) {  // and |x| < 1.5 ln2
            hi = xsb == 0 ? x - LN2_HI : x + LN2_HI;
            lo = xsb == 0 ? LN2_LO : -LN2_LO;
            k = 1 - xsb - xsb;
        } else {
            k = (int)(INV_LN2 * x + (xsb == 0 ? 0.5 : -0.5));
            const double t = k;
            hi = x - t * LN2_HI;  // exact
            lo = t * LN2_LO;
        }
        x = hi - lo;
    } else if (hx < 0x3e300000) {  // |x| < 2^-28
        return 1.0 + x;
    }
    const double t = x * x;
    const double c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
    const double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
    // k << 20 as an int shift that wraps (fdlibm's and Java's), written without C++'s signed-shift pitfalls
    if (k >= -1021) return with_hi_word(y, hi_word(y) + (int)((uint32_t)k << 20));
    return with_hi_word(y, hi_word(y) + (int)((uint32_t)(k + 1000) << 20)) * TWO_M1000;
}

// ---------------------------------------------------------------------------------------------
// log: x = 2^k (1 + f), sqrt(2)/2 < 1 + f < sqrt(2); log(1 + f) = f - s (f - R) with s = f / (2 + f)
// and R a degree-14 fit in s (as two interleaved polynomials in s^4), or the Taylor start for
// |f| < 2^-20.
constexpr double TWO54 = 1.80143985094819840000e+16;
constexpr double LG1 = 6.666666666666735130e-01;
constexpr double LG2 = 3.999999999940941908e-01;
constexpr double LG3 = 2.857142874366239149e-01;
constexpr double LG4 = 2.222219843214978396e-01;
constexpr double LG5 = 1.818357216161805012e-01;
constexpr double LG6 = 1.531383769920937332e-01;
constexpr double LG7 = 1.479819860511658591e-01;

__device__ inline double log_fdlibm(double x) {
    int hx = hi_word(x);
    const uint32_t lx = lo_word(x);
    int k = 0;
    if (hx < 0x00100000) {  // x < 2^-1022
        if (((hx & 0x7fffffff) | (int)lx) == 0) return -__longlong_as_double(0x7ff0000000000000LL);  // -inf
        if (hx < 0) return __longlong_as_double(0x7ff8000000000000LL);                               // NaN
        k -= 54;
        x *= TWO54;  // subnormal: scale up
        hx = hi_word(x);
    }
    if (hx >= 0x7ff00000) return x + x;
    k += (hx >> 20) - 1023;
    hx &= 0x000fffff;
    const int i0 = (hx + 0x95f64) & 0x100000;
    x = with_hi_word(x, hx | (i0 ^ 0x3ff00000));  // normalize x or x / 2
    k += i0 >> 20;
    const double f = x - 1.0;
    if ((0x000fffff & (2 + hx)) < 3) {  // |f| < 2^-20
        if (f == 0.0) {
            if (k == 0) return 0.0;
            const double dk = (double)k;
            return dk * LN2_HI + dk * LN2_LO;
        }
        const double r = f * f * (0.5 - 0.33333333333333333 * f);
        if (k == 0) return f - r;
        const double dk = (double)k;
        return dk * LN2_HI - ((r - dk * LN2_LO) - f);
    }
    const double s = f / (2.0 + f);
    const double dk = (double)k;
    const double z = s * s;
    int i = hx - 0x6147a;
    const double w = z * z;
    const int j = 0x6b851 - hx;
    const double t1 = w * (LG2 + w * (LG4 + w * LG6));
    const double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    i |= j;
    const double r = t2 + t1;
    if (i > 0) {
        const double hfsq = 0.5 * f * f;
        if (k == 0) return f - (hfsq - s * (hfsq + r));
        return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
    }
    if (k == 0) return f - s * (f - r);
    return dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
}

// ---------------------------------------------------------------------------------------------
// Erf.erf, operation for operation.
constexpr double TWO_OVER_SQRT_PI = 1.1283791670955126;
constexpr double ONE_OVER_SQRT_PI = 0.5641895835477563;
constexpr double SWITCH = 2.5;
constexpr int FRACTION_TERMS = 120;

__device__ __forceinline__ double abs_java(double x) { return __longlong_as_double(__double_as_longlong(x) & 0x7fffffffffffffffLL); }

// Math.max(double, double) and Math.min: NaN wins, +0 over -0 (max) and -0 under +0 (min).
__device__ __forceinline__ double max_java(double a, double b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0 && b == 0.0) return __longlong_as_double(__double_as_longlong(a) & __double_as_longlong(b));
    return a >= b ? a : b;
}
__device__ __forceinline__ double min_java(double a, double b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0 && b == 0.0) return __longlong_as_double(__double_as_longlong(a) | __double_as_longlong(b));
    return a <= b ? a : b;
}

__device__ inline double series(double x) {
    const double x2 = x * x;
    double term = x;
    double sum = x;
    for (int n = 1; n < 200; n++) {
        term *= 2.0 * x2 / (double)(2 * n + 1);
        sum += term;
        if (abs_java(term) <= 1e-17 * abs_java(sum)) break;
    }
    return TWO_OVER_SQRT_PI * exp_fdlibm(-x2) * sum;
}

__device__ inline double fraction(double x) {
    if (x > 27) return 0.0;
    double t = x;
    for (int n = FRACTION_TERMS; n >= 1; n--) {
        t = x + (0.5 * n) / t;
    }
    return ONE_OVER_SQRT_PI * exp_fdlibm(-x * x) / t;
}

__device__ inline double erf(double x) {
    if (x != x) return x;
    const double ax = abs_java(x);
    if (ax < SWITCH) return series(x);
    const double r = 1.0 - fraction(ax);
    return x < 0 ? -r : r;
}

// ---------------------------------------------------------------------------------------------
// NormalQuantile.ofErf: Phi^-1((1 + v) / 2) for v in [-1, 1], Wichura's AS 241 (PPND16) with
// q = v / 2 and (1 - |v|) / 2 exact; each rational by Horner steps from the highest coefficient.
// The tail's log is log_fdlibm (StrictMath.log's bits; Java's FdlibmLog is the same on the
// arguments that occur).
constexpr double SPLIT_CENTRAL = 0.425;
constexpr double SPLIT_FAR = 5.0;
constexpr double CENTRAL_SHIFT = 0.180625;
constexpr double NEAR_SHIFT = 1.6;

// p = c7; p = fma(p, t, c6); ... p = fma(p, t, c0)
__device__ __forceinline__ double horner8(double t, double c7, double c6, double c5, double c4, double c3, double c2,
                                          double c1, double c0) {
    double p = c7;
    p = __fma_rn(p, t, c6);
    p = __fma_rn(p, t, c5);
    p = __fma_rn(p, t, c4);
    p = __fma_rn(p, t, c3);
    p = __fma_rn(p, t, c2);
    p = __fma_rn(p, t, c1);
    return __fma_rn(p, t, c0);
}

__device__ inline double normal_quantile_of_erf(double v) {
    const double q = 0.5 * v;
    if (abs_java(q) <= SPLIT_CENTRAL) {
        const double t = CENTRAL_SHIFT - q * q;
        return (q * horner8(t, 2.5090809287301226727e+03, 3.3430575583588128105e+04, 6.7265770927008700853e+04,
                            4.5921953931549871457e+04, 1.3731693765509461125e+04, 1.9715909503065514427e+03,
                            1.3314166789178437745e+02, 3.3871328727963666080e+00)) /
               horner8(t, 5.2264952788528545610e+03, 2.8729085735721942674e+04, 3.9307895800092710610e+04,
                       2.1213794301586595867e+04, 5.3941960214247511077e+03, 6.8718700749205790830e+02,
                       4.2313330701600911252e+01, 1.0);
    }
    if (abs_java(v) == 1.0) {
        return q < 0 ? -__longlong_as_double(0x7ff0000000000000LL) : __longlong_as_double(0x7ff0000000000000LL);
    }
    const double r = __dsqrt_rn(-log_fdlibm(0.5 * (1.0 - abs_java(v))));
    const double s = q < 0 ? -1.0 : 1.0;
    if (r <= SPLIT_FAR) {
        const double t = r - NEAR_SHIFT;
        return (s * horner8(t, 7.74545014278341407640e-04, 2.27238449892691845833e-02, 2.41780725177450611770e-01,
                            1.27045825245236838258e+00, 3.64784832476320460504e+00, 5.76949722146069140550e+00,
                            4.63033784615654529590e+00, 1.42343711074968357734e+00)) /
               horner8(t, 1.05075007164441684324e-09, 5.47593808499534494600e-04, 1.51986665636164571966e-02,
                       1.48103976427480074590e-01, 6.89767334985100004550e-01, 1.67638483018380384940e+00,
                       2.05319162663775882187e+00, 1.0);
    }
    const double t = r - SPLIT_FAR;
    return (s * horner8(t, 2.01033439929228813265e-07, 2.71155556874348757815e-05, 1.24266094738807843860e-03,
                        2.65321895265761230930e-02, 2.96560571828504891230e-01, 1.78482653991729133580e+00,
                        5.46378491116411436990e+00, 6.65790464350110377720e+00)) /
           horner8(t, 2.04426310338993978564e-15, 1.42151175831644588870e-07, 1.84631831751005468180e-05,
                   7.86869131145613259100e-04, 1.48753612908506148525e-02, 1.36929880922735805310e-01,
                   5.99832206555887937690e-01, 1.0);
}

}  // namespace fs_erf
