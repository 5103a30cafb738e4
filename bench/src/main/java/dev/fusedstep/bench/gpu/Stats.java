package dev.fusedstep.bench.gpu;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * The statistics of bench/peers/peer_rows.py, computed the same way, so that a row of ours and a
 * PyTorch row mean the same: the median of the samples, the spread (90th - 10th percentile) /
 * median with Python's inclusive deciles, and values rounded to significant digits as Python's
 * {@code round} rounds them.
 */
final class Stats {
    private Stats() {}

    /** Python's {@code statistics.median}. */
    static double median(double[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("samples: got none, expected at least one");
        }
        double[] s = samples.clone();
        Arrays.sort(s);
        int mid = s.length / 2;
        return s.length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    }

    /** (p90 - p10) / median, deciles as {@code statistics.quantiles(n=10, method="inclusive")}; 0 for fewer than two. */
    static double spread(double[] samples) {
        if (samples.length < 2) {
            return 0.0;
        }
        double[] s = samples.clone();
        Arrays.sort(s);
        return (decile(s, 9) - decile(s, 1)) / median(s);
    }

    /** The i-th of the 9 inclusive deciles of sorted {@code s} (Python's interpolation, same operation order). */
    private static double decile(double[] s, int i) {
        int m = s.length - 1;
        int j = i * m / 10, delta = i * m % 10;
        return (s[j] * (10 - delta) + s[j + 1] * delta) / 10;
    }

    /** {@code v} rounded to {@code digits} significant digits, as peer_rows.significant; null, 0 and non-finite pass. */
    static Double significant(Double v, int digits) {
        if (v == null || v == 0 || !Double.isFinite(v)) {
            return v;
        }
        int places = digits - 1 - (int) Math.floor(Math.log10(Math.abs(v)));
        return new BigDecimal(v).setScale(places, RoundingMode.HALF_EVEN).doubleValue();
    }
}
