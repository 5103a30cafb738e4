// The double-precision functions of the truncated normal with the bits of the CPU's
// (kernels-java/.../init/Erf.java): erf, erfc and erfinv there use only IEEE arithmetic plus
// StrictMath.exp and StrictMath.log, which are fdlibm's e_exp.c and e_log.c (the same bits on
// every JVM). CUDA's exp and log are not those functions, so exp_fdlibm and log_fdlibm follow
// fdlibm's algorithms step for step (its argument reductions, constants and evaluation order;
// Sun's fdlibm is freely redistributable); the host emulation test checks them against
// StrictMath on many arguments. Compiled with -fmad=false: no multiply-add is contracted, as Java
// never contracts. Every division and square root is IEEE (nvcc's double / and sqrt are).
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
// Erf.java, operation for operation.
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

__device__ inline double erfc(double x) {
    if (x != x) return x;
    if (x >= SWITCH) return fraction(x);
    if (x <= -SWITCH) return 2.0 - fraction(-x);
    return 1.0 - series(x);
}

__device__ inline double giles(double y) {
    double w = -log_fdlibm((1.0 - y) * (1.0 + y));
    double p;
    if (w < 5.0) {
        w -= 2.5;
        p = 2.81022636e-08;
        p = 3.43273939e-07 + p * w;
        p = -3.5233877e-06 + p * w;
        p = -4.39150654e-06 + p * w;
        p = 0.00021858087 + p * w;
        p = -0.00125372503 + p * w;
        p = -0.00417768164 + p * w;
        p = 0.246640727 + p * w;
        p = 1.50140941 + p * w;
    } else {
        w = __dsqrt_rn(w) - 3.0;
        p = -0.000200214257;
        p = 0.000100950558 + p * w;
        p = 0.00134934322 + p * w;
        p = -0.00367342844 + p * w;
        p = 0.00573950773 + p * w;
        p = -0.0076224613 + p * w;
        p = 0.00943887047 + p * w;
        p = 1.00167406 + p * w;
        p = 2.83297682 + p * w;
    }
    return p * y;
}

__device__ inline double erfinv(double y) {
    if (y != y || y < -1 || y > 1) return __longlong_as_double(0x7ff8000000000000LL);
    if (y == 1 || y == -1) return y * __longlong_as_double(0x7ff0000000000000LL);
    if (y == 0) return y;
    double x = giles(y);
    const double ay = abs_java(y);
    for (int step = 0; step < 8; step++) {
        double residual;
        if (ay <= 0.5) {
            residual = erf(x) - y;
        } else {
            const double tail = (1.0 - ay) - erfc(abs_java(x));
            residual = y < 0 ? -tail : tail;
        }
        const double dx = residual / (TWO_OVER_SQRT_PI * exp_fdlibm(-x * x));
        x -= dx;
        if (!(abs_java(dx) > 1e-15 * abs_java(x))) break;
    }
    return x;
}

}  // namespace fs_erf
