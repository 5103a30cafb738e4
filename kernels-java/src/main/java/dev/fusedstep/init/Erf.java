package dev.fusedstep.init;

/**
 * erf, erfc and erfinv in double, for the truncated normal. Only IEEE-exact arithmetic plus
 * {@link StrictMath#exp} and {@link StrictMath#log} (fdlibm, the same bits on every JVM; the CUDA
 * twin, native/src/main/cuda/tensor/erf.cuh, ports those two fdlibm routines), so the results are
 * reproducible everywhere.
 */
final class Erf {
    private Erf() {}

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;
    /** Below: the series for erf; above: the continued fraction for erfc. */
    private static final double SWITCH = 2.5;
    private static final int FRACTION_TERMS = 120;

    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        if (ax < SWITCH) {
            return series(x);
        }
        double r = 1.0 - fraction(ax);
        return x < 0 ? -r : r;
    }

    static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (x >= SWITCH) {
            return fraction(x);
        }
        if (x <= -SWITCH) {
            return 2.0 - fraction(-x);
        }
        return 1.0 - series(x);
    }

    /** erf(x) = 2/sqrt(pi) e^(-x^2) sum 2^n x^(2n+1) / (1 3 ... (2n+1)): positive terms, no cancellation. */
    private static double series(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 200; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
            if (Math.abs(term) <= 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * StrictMath.exp(-x2) * sum;
    }

    /** erfc(x) for x >= 2.5: e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated backwards. */
    private static double fraction(double x) {
        if (x > 27) {
            return 0.0; // below the smallest double
        }
        double t = x;
        for (int n = FRACTION_TERMS; n >= 1; n--) {
            t = x + (0.5 * n) / t;
        }
        return ONE_OVER_SQRT_PI * StrictMath.exp(-x * x) / t;
    }

    /**
     * The inverse of erf on [-1, 1] (+-infinity at +-1, NaN outside): Giles' single-precision
     * approximation ("Approximating the erfinv function", GPU Computing Gems, 2011), evaluated in
     * double, then Newton steps against {@link #erf} (against {@link #erfc} for |y| > 1/2,
     * where 1 - |y| is exact) until the step is below 1e-15 relative (two steps for
     * inputs Giles was fitted for, at most eight).
     */
    static double erfinv(double y) {
        if (Double.isNaN(y) || y < -1 || y > 1) {
            return Double.NaN;
        }
        if (y == 1 || y == -1) {
            return y * Double.POSITIVE_INFINITY;
        }
        if (y == 0) {
            return y;
        }
        double x = giles(y);
        double ay = Math.abs(y);
        // Giles is good to ~1e-7 on float32 inputs (two steps converge); closer to +-1 it is
        // rougher, so step until the correction is negligible (at most 8 steps).
        for (int step = 0; step < 8; step++) {
            double residual;
            if (ay <= 0.5) {
                residual = erf(x) - y;
            } else {
                double tail = (1.0 - ay) - erfc(Math.abs(x)); // erf(|x|) - |y|
                residual = y < 0 ? -tail : tail;
            }
            double dx = residual / (TWO_OVER_SQRT_PI * StrictMath.exp(-x * x));
            x -= dx;
            if (!(Math.abs(dx) > 1e-15 * Math.abs(x))) {
                break;
            }
        }
        return x;
    }

    private static double giles(double y) {
        double w = -StrictMath.log((1.0 - y) * (1.0 + y));
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
            w = Math.sqrt(w) - 3.0;
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
}
