package dev.fusedstep.init;

/**
 * The truncated normal's former erfinv, kept as the accuracy reference for {@link NormalQuantile}:
 * an independent method (a first guess refined by Newton steps against the series and continued
 * fraction of {@link Erf}, to 1e-15 relative), slow but close to exact.
 */
final class NewtonErfinv {
    private NewtonErfinv() {}

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    /**
     * The inverse of erf on [-1, 1] (+-infinity at +-1, NaN outside): Giles' single-precision
     * approximation ("Approximating the erfinv function", GPU Computing Gems, 2011), evaluated in
     * double, then Newton steps against {@link Erf#erf} (against {@link Erf#erfc} for |y| > 1/2,
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
                residual = Erf.erf(x) - y;
            } else {
                double tail = (1.0 - ay) - Erf.erfc(Math.abs(x)); // erf(|x|) - |y|
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
