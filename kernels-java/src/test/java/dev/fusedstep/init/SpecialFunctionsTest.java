package dev.fusedstep.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The float32 log and sin/cos of Box-Muller against the JDK, and erf, erfc and the reference
 * erfinv ({@link NewtonErfinv}, which NormalQuantileTest measures the sampler's quantile against)
 * against SciPy 1.x values (scipy.special, printed with repr). erfc below 2.5 is 1 - erf, so it
 * is accurate to ~1e-16 absolute, not relative; the reference erfinv inherits ~1e-14 relative
 * near |y| = 1.
 */
class SpecialFunctionsTest {

    private static double ulp(float x) {
        return Math.ulp(x);
    }

    @Test
    void logIsWithinTwoUlpOverTheUniformRange() {
        double worst = 0;
        for (int k = 1; k <= 1 << 24; k += 7) {
            float u = k * 0x1p-24f;
            double exact = Math.log((double) u);
            double err = Math.abs(Float32Math.log(u) - exact);
            worst = Math.max(worst, err / Math.max(ulp((float) exact), Float.MIN_NORMAL));
        }
        assertEquals(0f, Float32Math.log(1f));
        assertTrue(worst <= 2, "log error " + worst + " ulp");
    }

    @Test
    void sinCosAreWithinTwoUlpOfOne() {
        double worst = 0;
        for (int t = 0; t < 1 << 24; t += 5) {
            double angle = 2 * Math.PI * (t * 0x1p-24);
            worst = Math.max(worst, Math.abs(Float32Math.cos2pi(t) - Math.cos(angle)));
            worst = Math.max(worst, Math.abs(Float32Math.sin2pi(t) - Math.sin(angle)));
        }
        assertTrue(worst <= 2 * 0x1p-24, "sin/cos absolute error " + worst);
        assertEquals(1f, Float32Math.cos2pi(0));
        assertEquals(0f, Float32Math.sin2pi(0));
        assertEquals(1f, Float32Math.sin2pi(1 << 22));
        assertEquals(-1f, Float32Math.cos2pi(1 << 23));
    }

    @Test
    void erfAndErfcMatchScipy() {
        double[][] cases = {
            {0.1, 0.1124629160182849, 0.8875370839817152},
            {0.5, 0.5204998778130465, 0.4795001221869535},
            {1, 0.8427007929497148, 0.15729920705028516},
            {2, 0.9953222650189527, 0.004677734981047266},
            {2.5, 0.999593047982555, 0.00040695201744495886},
            {3, 0.9999779095030014, 2.2090496998585445e-05},
            {4, 0.9999999845827421, 1.541725790028002e-08},
            {6, 1.0, 2.1519736712498913e-17},
            {10, 1.0, 2.0884875837625446e-45},
        };
        for (double[] c : cases) {
            assertEquals(c[1], Erf.erf(c[0]), 4e-16, "erf(" + c[0] + ")");
            assertEquals(-c[1], Erf.erf(-c[0]), 4e-16, "erf(-" + c[0] + ")");
            assertEquals(c[2], Erf.erfc(c[0]), 1e-14 * c[2] + (c[0] < 2.5 ? 2e-16 : 0), "erfc(" + c[0] + ")");
            assertEquals(2 - c[2], Erf.erfc(-c[0]), 1e-15, "erfc(-" + c[0] + ")");
        }
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
    }

    /** (y, erfinv(y)) from scipy.special.erfinv, printed with repr. */
    static final double[][] SCIPY_ERFINV = {
        {1e-10, 8.862269254527581e-11},
        {0.1, 0.08885599049425769},
        {0.5, 0.4769362762044699},
        {0.9, 1.1630871536766743},
        {0.99, 1.8213863677184496},
        {0.999, 2.326753765513524},
        {0.999999, 3.458910737275499},
        {1 - 1e-12, 5.042031898572696},
        {-0.7, -0.7328690779592169},
    };

    @Test
    void erfinvMatchesScipy() {
        for (double[] c : SCIPY_ERFINV) {
            assertEquals(c[1], NewtonErfinv.erfinv(c[0]), 1e-13 * Math.abs(c[1]), "erfinv(" + c[0] + ")");
        }
        assertEquals(Double.POSITIVE_INFINITY, NewtonErfinv.erfinv(1));
        assertEquals(Double.NEGATIVE_INFINITY, NewtonErfinv.erfinv(-1));
        assertTrue(Double.isNaN(NewtonErfinv.erfinv(1.5)));
    }

    @Test
    void erfinvInvertsErf() {
        for (int k = -999; k <= 999; k++) {
            double y = k / 1000.0;
            assertEquals(y, Erf.erf(NewtonErfinv.erfinv(y)), 1e-15, "erf(erfinv(" + y + "))");
        }
    }
}
