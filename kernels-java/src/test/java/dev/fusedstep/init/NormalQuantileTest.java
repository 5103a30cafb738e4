package dev.fusedstep.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The truncated normal's quantile: {@link FdlibmLog} has {@link StrictMath#log}'s bits on its
 * domain, {@link NormalQuantile} is within 1e-15 relative of mpmath's sqrt(2) erfinv (close to
 * +-1 too) and agrees with the former Newton-refined erfinv on many arguments, and the Vector
 * API twins give the scalar bits lane by lane.
 */
class NormalQuantileTest {
    private static final double SQRT2 = Math.sqrt(2.0);

    /** Arguments of the quantile: every range the truncated normal can hand it, and the edges of each case. */
    static double[] arguments() {
        Random r = new Random(11);
        int n = 400_000;
        double[] v = new double[n + 64];
        for (int i = 0; i < n; i++) {
            double x = switch (i % 5) {
                case 0 -> r.nextDouble() * 2 - 1;                                   // anywhere
                case 1 -> 1 - Math.scalb(r.nextDouble(), -r.nextInt(54));           // 1 - |v| over every binade
                case 2 -> 1 - Math.scalb((double) (1 + r.nextInt(64)), -53);       // within a few ulps of 1
                case 3 -> 0.85 + (r.nextDouble() * 2 - 1) * 1e-3;                  // the central split, |q| = 0.425
                default -> 1 - 2 * Math.exp(-25 * (1 + (r.nextDouble() * 2 - 1) * 1e-3)); // the far split, r = 5
            };
            v[i] = r.nextBoolean() ? x : -x;
        }
        double[] edges = {0, -0.0, 1, -1, 0.85, -0.85, Math.nextUp(0.85), Math.nextDown(0.85), 1e-300, -1e-300,
            Math.nextDown(1.0), -Math.nextDown(1.0), 0.5, -0.5, 1 - 0x1p-24, 1 - 0x1p-30, 0.9545, -0.9545};
        System.arraycopy(edges, 0, v, n, edges.length);
        for (int i = n + edges.length; i < v.length; i++) {
            v[i] = 1 - Math.scalb(1.0, -(i - n - edges.length)); // 1 - |v| a power of two: fdlibm's f = 0
        }
        return v;
    }

    /** (1 - |v|) / 2 for the tail arguments above, and more: every binade down to 2^-54 and near powers of two. */
    @Test
    void logHasStrictMathBitsOnItsDomain() {
        Random r = new Random(3);
        int checked = 0;
        for (double v : arguments()) {
            double m = 0.5 * (1.0 - Math.abs(v));
            if (m > 0 && m < Math.sqrt(0.5)) {
                assertSameBits(StrictMath.log(m), FdlibmLog.log(m), "log(" + m + ")");
                checked++;
            }
        }
        for (int i = 0; i < 400_000; i++) {
            double m = switch (i % 3) {
                case 0 -> Math.scalb(0.5 + r.nextDouble() * 0.2071, -r.nextInt(1020));
                case 1 -> Math.scalb(1 + (r.nextDouble() * 2 - 1) * 0x1p-19, -1 - r.nextInt(60)); // |f| near 2^-20
                default -> r.nextDouble() * Math.sqrt(0.5);
            };
            if (m >= Double.MIN_NORMAL && m < Math.sqrt(0.5)) {
                assertSameBits(StrictMath.log(m), FdlibmLog.log(m), "log(" + m + ")");
                checked++;
            }
        }
        assertTrue(checked > 600_000, "checked " + checked);
    }

    /** SciPy's erfinv(y) (scipy.special.erfinv, printed with repr) against ofErf(y) / sqrt 2. */
    @Test
    void matchesScipy() {
        for (double[] c : SpecialFunctionsTest.SCIPY_ERFINV) {
            assertEquals(c[1], NormalQuantile.ofErf(c[0]) / SQRT2, 2e-15 * Math.abs(c[1]), "ofErf(" + c[0] + ") / sqrt 2");
        }
        assertEquals(Double.POSITIVE_INFINITY, NormalQuantile.ofErf(1));
        assertEquals(Double.NEGATIVE_INFINITY, NormalQuantile.ofErf(-1));
        assertSameBits(0.0, NormalQuantile.ofErf(0.0), "ofErf(0)");
        assertSameBits(-0.0, NormalQuantile.ofErf(-0.0), "ofErf(-0)");
    }

    /**
     * sqrt(2) erfinv(v) from mpmath 1.3 at 50 digits ({@code sqrt(2) * erfinv(mpf(v))}), rounded to
     * double, v in hex (exact): 30 anywhere, 30 with 1 - |v| log-uniform in [2^-30, 0.15], the
     * splits, and 1 - |v| from 2^-30 down to 2^-53, where the Newton reference stops before it
     * converges.
     */
    private static final double[][] MPMATH = {
        {-0x1.86056fd71b21ep-1, -1.179397902577687}, {0x1.49bebce2cbf00p-8, 0.006306104990225221},
        {0x1.83681a5aec780p-6, 0.029639485258135916}, {0x1.70a3fe79fa492p-1, 1.0803219810288098},
        {-0x1.96e65d8ed529ap-1, -1.2666689104847333}, {-0x1.1b5b4b0d76f5cp-1, -0.7611472630760446},
        {0x1.9dd2513e332a0p-3, 0.2560157247968888}, {0x1.cf54ddaeb5af0p-4, 0.14225073794358478},
        {0x1.222ca1c949ef4p-1, 0.7836368359804113}, {0x1.87abe35e9e8f0p-4, 0.12013388514354215},
        {0x1.d824d3c6cd75cp-2, 0.6144439281111096}, {0x1.128cd2bed5f48p-1, 0.7326542174250498},
        {0x1.010cf2e2f40c6p-1, 0.6777218281294447}, {0x1.6263aee1d7340p-3, 0.2186042947238147},
        {-0x1.0a4eb87facf04p-1, -0.7065146286308362}, {0x1.d3c7de29549c8p-3, 0.29029385618359255},
        {-0x1.8e9b145b3bb68p-1, -1.22262044552478}, {0x1.445d168c8cf48p-1, 0.9030915764294144},
        {-0x1.9c6d77f43c460p-4, -0.12653345937444768}, {0x1.425126720b190p-1, 0.8955846755268414},
        {0x1.7b3ea37d836e4p-2, 0.4822281733773443}, {0x1.6f63785071950p-2, 0.46599075973875753},
        {-0x1.28baddcd27fb0p-1, -0.8056419630164401}, {-0x1.fce6b2a6ffe54p-2, -0.6697358286993945},
        {0x1.eb6e247fdc418p-1, 2.051941954961322}, {0x1.b79ef42da6400p-1, 1.4707253652752843},
        {0x1.38758bb02c0e6p-1, 0.8601103838089629}, {0x1.ffa5dadf7bf12p-1, 3.3944157485731754},
        {0x1.bd3c9a3417380p-6, 0.03406551602582728}, {-0x1.b1d9322371112p-1, -1.4302690917709953},
        {-0x1.ffffec9201a4ap-1, -4.998076859136714}, {0x1.fffb6987e255ap-1, 4.138214479073993},
        {-0x1.fffff8324b35fp-1, -5.171225582110738}, {0x1.ffff4e88317afp-1, 4.5529868353938685},
        {-0x1.f88f47c97d69dp-1, -2.4438403098351893}, {0x1.ffb6dd307cdf8p-1, 3.451256385498515},
        {-0x1.fff94efef2afbp-1, -4.050760221052556}, {0x1.fffffff33b5fdp-1, 6.045833119627258},
        {-0x1.ffacb2e8c0052p-1, -3.415976534897513}, {0x1.ffffe1e8ae6cdp-1, 4.913032439888492},
        {-0x1.ffffa4cd507dap-1, -4.691061545688585}, {0x1.ffffc571654a9p-1, 4.780898336683504},
        {-0x1.fff82c4edf211p-1, -4.0139354935518785}, {0x1.fffe7ed14c011p-1, 4.387249068651402},
        {-0x1.ffffffb7c294fp-1, -5.760031320876814}, {0x1.fffe40c4e535fp-1, 4.354640967253417},
        {-0x1.ff50fdee34d63p-1, -3.2083033778146515}, {0x1.fff5b74d90f9ep-1, 3.9490545100246037},
        {-0x1.fffeb13d367dep-1, -4.417678827968155}, {0x1.f01260207ad5cp-1, 2.155665344647778},
        {-0x1.fffffbdadb1fdp-1, -5.288188817942876}, {0x1.ffffa899c05c5p-1, 4.699757553616218},
        {-0x1.ecf280a2f95e2p-1, -2.0834266316926553}, {0x1.fffef45b164fcp-1, 4.465815887317735},
        {-0x1.fffdd2db6596ap-1, -4.306255124038286}, {0x1.fffffff313ccfp-1, 6.043892793122597},
        {-0x1.fffffdd31e129p-1, -5.404941194211956}, {0x1.ffffffa46c80ep-1, 5.719865069893446},
        {-0x1.ffffffebd92c6p-1, -5.971837407697119}, {0x1.ffb5e8806a447p-1, 3.447750714461118},
        {0x1.b333333333333p-1, 1.439531470938456}, {-0x1.b333333333333p-1, -1.439531470938456},
        {0x1.56e1fc2f8f359p-997, 1.2533141373155002e-300}, {0x1.0000000000000p-30, 1.1672397491666492e-09},
        {0x1.fffffff800000p-1, 6.12075628597194}, {0x1.ffffffe800000p-1, 5.943267008562716},
        {0x1.fffffffc00000p-1, 6.230260137989043}, {0x1.fffffff400000p-1, 6.0558266433354175},
        {0x1.fffffffe00000p-1, 6.3379577545537895}, {0x1.fffffffa00000p-1, 6.166429517819751},
        {0x1.ffffffff00000p-1, 6.443934526538564}, {0x1.fffffffd00000p-1, 6.275172902938707},
        {0x1.ffffffff80000p-1, 6.548269367831731}, {0x1.fffffffe80000p-1, 6.382146325846505},
        {0x1.ffffffffc0000p-1, 6.651035379893011}, {0x1.ffffffff40000p-1, 6.487432402496874},
        {0x1.ffffffffe0000p-1, 6.752300431407015}, {0x1.ffffffffa0000p-1, 6.591107558914363},
        {0x1.fffffffff0000p-1, 6.8521276658960675}, {0x1.ffffffffd0000p-1, 6.69324265878608},
        {0x1.fffffffff8000p-1, 6.95057594791675}, {0x1.ffffffffe8000p-1, 6.793903551793666},
        {0x1.fffffffffc000p-1, 7.047700256664409}, {0x1.fffffffff4000p-1, 6.893151554558182},
        {0x1.fffffffffe000p-1, 7.143552034352189}, {0x1.fffffffffa000p-1, 6.9910438740281595},
        {0x1.ffffffffff000p-1, 7.238179495544066}, {0x1.fffffffffd000p-1, 7.087633981493044},
        {0x1.ffffffffff800p-1, 7.331627902649327}, {0x1.fffffffffe800p-1, 7.182971944066552},
        {0x1.ffffffffffc00p-1, 7.423939811985983}, {0x1.ffffffffff400p-1, 7.277104719392604},
        {0x1.ffffffffffe00p-1, 7.515155294158908}, {0x1.ffffffffffa00p-1, 7.3700764184304814},
        {0x1.fffffffffff00p-1, 7.605312131948749}, {0x1.ffffffffffd00p-1, 7.461928540436951},
        {0x1.fffffffffff80p-1, 7.694445998448803}, {0x1.ffffffffffe80p-1, 7.552700183650687},
        {0x1.fffffffffffc0p-1, 7.782590617802448}, {0x1.fffffffffff40p-1, 7.642428234674636},
        {0x1.fffffffffffe0p-1, 7.869777910570139}, {0x1.fffffffffffa0p-1, 7.7311475391256606},
        {0x1.ffffffffffff0p-1, 7.956038125481531}, {0x1.fffffffffffd0p-1, 7.818891055763057},
        {0x1.ffffffffffff8p-1, 8.041399959096543}, {0x1.fffffffffffe8p-1, 7.905689996005889},
        {0x1.ffffffffffffcp-1, 8.125890664701906}, {0x1.ffffffffffff4p-1, 7.991573950493904},
        {0x1.ffffffffffffep-1, 8.209536151601387}, {0x1.fffffffffffffp-1, 8.292361075813595},
        {-0x1.ffffff6000000p-1, -5.624297400319529}, {-0x1.ffffffec00000p-1, -5.973069504340017},
        {-0x1.fffffffd80000p-1, -6.303478657348273}, {-0x1.ffffffffb0000p-1, -6.618119100310051},
        {-0x1.fffffffff6000p-1, -6.919029755084821}, {-0x1.fffffffffec00p-1, -7.207847065392366},
        {-0x1.ffffffffffd80p-1, -7.48590778667857}, {-0x1.fffffffffffb0p-1, -7.754320376295518}
    };

    /** Measured worst 3.0e-16 relative (AS 241's ~1e-16 and a few roundings); a float32 sample needs 6e-8. */
    @Test
    void isWithinOneInTenToTheFifteenOfMpmath() {
        double worst = 0;
        for (double[] c : MPMATH) {
            worst = Math.max(worst, Math.abs(NormalQuantile.ofErf(c[0]) - c[1]) / Math.abs(c[1]));
        }
        assertTrue(worst <= 1e-15, "relative error " + worst);
    }

    /**
     * Against {@code sqrt(2) NewtonErfinv.erfinv} (the former sampler's erfinv) on many arguments:
     * they differ by up to 1.3e-13 relative (measured), the reference's own error: just below
     * |x| = 2.5 its erfc is 1 - erf, exact only to 1e-16 absolute (at v = 0.99951659 mpmath
     * agrees with the quantile to 1e-16, not with the reference). The bound, 3e-13, catches a
     * wrong coefficient or case anywhere; {@link #isWithinOneInTenToTheFifteenOfMpmath} is the tight one.
     */
    @Test
    void agreesWithTheNewtonErfinvOnManyArguments() {
        double worst = 0;
        double worstAt = 0;
        double[] v = arguments();
        for (int i = 0; i < v.length; i += 3) { // the reference is slow: a third of them
            if (1 - Math.abs(v[i]) < 0x1p-30 || v[i] == 0) {
                continue; // closer to +-1 the reference's eight Newton steps do not converge: MPMATH
            }
            double expected = SQRT2 * NewtonErfinv.erfinv(v[i]);
            double err = Math.abs(NormalQuantile.ofErf(v[i]) - expected) / Math.abs(expected);
            if (err > worst) {
                worst = err;
                worstAt = v[i];
            }
        }
        assertTrue(worst <= 3e-13, "relative error " + worst + " at v = " + worstAt);
    }

    @Test
    void vectorLanesHaveTheScalarBits() {
        assumeTrue(VectorizationProvider.getInstance().vectorized(), "the Vector API is not in use");
        Lanes.logsAndValuesMatch(arguments());
    }

    /** The checks that call vector code, apart so that a JVM without the Vector API can load this class. */
    private static final class Lanes {
        /**
         * Bit for bit on every argument: the vector log on (1 - |v|) / 2, the quantile in double
         * (the tails packed, their logs and tail rationals, the central rational), and the values
         * (fma, clamp, float rounding) under truncations that clamp and do not.
         */
        static void logsAndValuesMatch(double[] args) {
            int n = args.length / VectorTruncNormal.D.length() * VectorTruncNormal.D.length();
            double[] v = java.util.Arrays.copyOf(args, n);
            double[] logs = new double[n];
            for (int i = 0; i < n; i++) {
                logs[i] = 0.5 * (1.0 - Math.abs(v[i]));
            }
            double[] m = logs.clone();
            VectorTruncNormal.logs(logs, logs, n);
            for (int i = 0; i < n; i++) {
                if (m[i] > 0) {
                    assertSameBits(FdlibmLog.log(m[i]), logs[i], "log(" + m[i] + ")");
                }
            }
            double[] tails = new double[n + VectorTruncNormal.D.length()];
            double[] tailLogs = new double[n + VectorTruncNormal.D.length()];
            int tailCount = VectorTruncNormal.compactTails(v, tails, tailLogs, n);
            VectorTruncNormal.logs(tailLogs, tailLogs, tailCount);
            VectorTruncNormal.tailQuantiles(tails, tailLogs, tailCount);
            double[] z = v.clone();
            VectorTruncNormal.quantiles(z, tails, n);
            for (int i = 0; i < n; i++) {
                assertSameBits(NormalQuantile.ofErf(v[i]), z[i], "ofErf(" + v[i] + ")");
            }
            Samplers.Truncation[] truncations = {
                new Samplers.Truncation(0, 1, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0, 0),
                new Samplers.Truncation(0.5, 0.02, -0.04, 0.04, 0, 0),
                new Samplers.Truncation(-3, 7, -2, 1e30, 0, 0)};
            float[] got = new float[n];
            for (Samplers.Truncation t : truncations) {
                VectorTruncNormal.values(z, t, java.lang.foreign.MemorySegment.ofArray(got), 0, n);
                for (int i = 0; i < n; i++) {
                    float expected = (float) Math.min(Math.max(Math.fma(z[i], t.std(), t.mean()), t.a()), t.b());
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got[i]),
                            "value of z = " + z[i] + " under " + t);
                }
            }
        }
    }

    static void assertSameBits(double expected, double actual, String what) {
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
                () -> what + ": expected " + expected + ", got " + actual);
    }
}
