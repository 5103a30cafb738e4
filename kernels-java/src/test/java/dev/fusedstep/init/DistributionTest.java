package dev.fusedstep.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.Tensor;
import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Distribution checks on 2^20 samples at fixed seeds, tight enough to fail: moments within about
 * five standard errors, bounds, and a Kolmogorov-Smirnov test at the 0.1 % level
 * (D < 1.95 / sqrt(n)).
 */
class DistributionTest {
    private static final int N = 1 << 20;
    private static final double KS_CRITICAL = 1.95 / Math.sqrt(N);

    private static float[] draw(java.util.function.Consumer<Tensor> init) {
        float[] values = new float[N];
        init.accept(Tensor.of(values));
        return values;
    }

    private static double mean(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v;
        }
        return s / x.length;
    }

    private static double std(float[] x) {
        double m = mean(x), s = 0;
        for (float v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (x.length - 1));
    }

    /** The Kolmogorov-Smirnov distance between the samples and {@code cdf}. */
    private static double ks(float[] x, DoubleUnaryOperator cdf) {
        float[] sorted = x.clone();
        Arrays.sort(sorted);
        double d = 0;
        for (int i = 0; i < sorted.length; i++) {
            double f = cdf.applyAsDouble(sorted[i]);
            d = Math.max(d, Math.max(f - (double) i / sorted.length, (double) (i + 1) / sorted.length - f));
        }
        return d;
    }

    private static double phi(double x) {
        return Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    }

    private static double bigPhi(double x) {
        return 0.5 * Erf.erfc(-x / Math.sqrt(2));
    }

    @Test
    void uniformOnUnitInterval() {
        float[] x = draw(t -> Init.uniform(t, RandomStream.of(1)));
        for (float v : x) {
            assertTrue(v >= 0f && v < 1f, "uniform value " + v);
        }
        assertEquals(0.5, mean(x), 5 * Math.sqrt(1.0 / 12 / N));
        assertEquals(Math.sqrt(1.0 / 12), std(x), 1e-3);
        double d = ks(x, v -> Math.min(Math.max(v, 0), 1));
        assertTrue(d < KS_CRITICAL, "KS distance " + d + " >= " + KS_CRITICAL);
    }

    @Test
    void uniformOnShiftedInterval() {
        float[] x = draw(t -> Init.uniform(t, -3, 5, RandomStream.of(2)));
        for (float v : x) {
            assertTrue(v >= -3f && v < 5f, "uniform value " + v);
        }
        assertEquals(1.0, mean(x), 5 * 8 * Math.sqrt(1.0 / 12 / N));
        double d = ks(x, v -> Math.min(Math.max((v + 3) / 8, 0), 1));
        assertTrue(d < KS_CRITICAL, "KS distance " + d);
    }

    @Test
    void standardNormal() {
        float[] x = draw(t -> Init.normal(t, RandomStream.of(3)));
        assertEquals(0.0, mean(x), 5 / Math.sqrt(N));
        assertEquals(1.0, std(x), 5 / Math.sqrt(2.0 * N));
        double d = ks(x, DistributionTest::bigPhi);
        assertTrue(d < KS_CRITICAL, "KS distance " + d);
        double maxAbs = 0;
        for (float v : x) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        assertTrue(maxAbs > 4 && maxAbs <= 5.78, "largest |z| " + maxAbs);
    }

    @Test
    void shiftedNormal() {
        float[] x = draw(t -> Init.normal(t, 2.0, 0.5, RandomStream.of(4)));
        assertEquals(2.0, mean(x), 5 * 0.5 / Math.sqrt(N));
        assertEquals(0.5, std(x), 5 * 0.5 / Math.sqrt(2.0 * N));
        double d = ks(x, v -> bigPhi((v - 2) / 0.5));
        assertTrue(d < KS_CRITICAL, "KS distance " + d);
    }

    /** The analytic mean and std of a normal(mean, std) truncated to [a, b]. */
    private static double[] truncatedMoments(double mean, double std, double a, double b) {
        double alpha = (a - mean) / std, beta = (b - mean) / std;
        double z = bigPhi(beta) - bigPhi(alpha);
        double dPhi = (phi(alpha) - phi(beta)) / z;
        double var = 1 + (alpha * phi(alpha) - beta * phi(beta)) / z - dPhi * dPhi;
        return new double[] {mean + std * dPhi, std * Math.sqrt(var)};
    }

    private void checkTruncated(double mean, double std, double a, double b, long seed) {
        float[] x = draw(t -> Init.truncNormal(t, mean, std, a, b, RandomStream.of(seed)));
        for (float v : x) {
            assertTrue(v >= (float) a && v <= (float) b, "truncated normal value " + v);
        }
        double[] m = truncatedMoments(mean, std, a, b);
        assertEquals(m[0], mean(x), 5 * m[1] / Math.sqrt(N), "mean");
        assertEquals(m[1], std(x), 5 * m[1] / Math.sqrt(N), "std");
        double lo = bigPhi((a - mean) / std), width = bigPhi((b - mean) / std) - lo;
        double d = ks(x, v -> Math.min(Math.max((bigPhi((v - mean) / std) - lo) / width, 0), 1));
        assertTrue(d < KS_CRITICAL, "KS distance " + d);
    }

    @Test
    void truncatedNormalDefaults() {
        checkTruncated(0, 1, -2, 2, 5);
        assertEquals(0.8796, truncatedMoments(0, 1, -2, 2)[1], 1e-4); // the analytic value, by hand
    }

    @Test
    void truncatedNormalAsymmetric() {
        checkTruncated(1, 2, 0, 3, 6);
    }

    @Test
    void truncatedNormalNarrowTail() {
        checkTruncated(0, 0.02, -0.01, 0.05, 7); // ViT-style std, bounds in the tail on one side
    }
}
