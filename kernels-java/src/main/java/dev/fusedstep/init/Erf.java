package dev.fusedstep.init;

/**
 * erf in double, for the truncated normal's bounds (once per call; the samples take
 * {@link NormalQuantile}), and erfc (the tests' reference erfinv and moments use it). Only
 * IEEE-exact arithmetic plus {@link StrictMath#exp} (fdlibm, the same bits on every JVM; the CUDA
 * twin of erf, native/src/main/cuda/tensor/erf.cuh, ports it), so the results are reproducible
 * everywhere.
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
}
