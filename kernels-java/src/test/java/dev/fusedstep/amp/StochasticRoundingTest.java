package dev.fusedstep.amp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.Precision;
import java.lang.foreign.Arena;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stochastic rounding of BF16 parameter writes: seeded and reproducible (same seed, same bits,
 * whatever the thread count or loop kind; another seed, other bits), and unbiased.
 *
 * <p>The set-up makes every element's float32 result the same known value between two BF16
 * neighbours: AdamW with zero gradients only decays, {@code p = 1 * (float) (1 - lr * wd)} =
 * 0.997f, which lies about a quarter of the way from 0.99609375 up to 1.0.
 */
class StochasticRoundingTest {

    private static final int N = 1 << 20;
    private static final AdamW RULE = new AdamW().withLr(0.1).withWeightDecay(0.03);
    private static final float EXPECTED = 1f * (float) (1 - 0.1 * 0.03);
    private static final float DOWN = 0.99609375f, UP = 1.0f;

    /** The BF16 parameter after one step, as float32. */
    private static float[] oneStep(boolean master, Precision rounding, int threads, boolean vectorized) {
        try (Arena arena = Arena.ofShared()) {
            float[] ones = new float[N];
            Arrays.fill(ones, 1f);
            Tensor param = AmpFixtures.tensor(arena, DType.BF16, ones);
            Tensor grad = Tensor.allocate(arena, DType.BF16, N); // zeros
            try (Optimizer opt = Optimizer.builder().group(RULE, rounding, Param.of("p", param, grad))
                    .threads(threads).vectorized(vectorized).build()) {
                opt.step();
                if (master) {
                    float[] m = opt.masterWeights("p").toFloatArray();
                    assertTrue(Arrays.stream(toDoubles(m)).allMatch(x -> x == EXPECTED), "every master is " + EXPECTED);
                }
                return AmpFixtures.floats(param);
            }
        }
    }

    private static Precision precision(boolean master) {
        return master ? Precision.masterWeights() : Precision.defaults();
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @ParameterizedTest(name = "master weights: {0}")
    @ValueSource(booleans = {true, false})
    void unbiasedWhereNearestEvenIsBiased(boolean master) {
        assertTrue(DOWN < EXPECTED && EXPECTED < UP, "the value must lie between two BF16 neighbours");
        float[] sr = oneStep(master, precision(master).withStochasticRounding(42), 2, vectorizedIfAvailable());
        double sum = 0;
        long up = 0;
        for (float x : sr) {
            assertTrue(x == DOWN || x == UP, "rounded to a neighbour: " + x);
            sum += x;
            up += x == UP ? 1 : 0;
        }
        double mean = sum / N;
        double fraction = (EXPECTED - DOWN) / (UP - DOWN);
        // one draw is DOWN + gap * Bernoulli(fraction): its standard deviation is gap * sqrt(f (1 - f))
        double standardError = (UP - DOWN) * Math.sqrt(fraction * (1 - fraction)) / Math.sqrt(N);
        double srBias = mean - EXPECTED;
        System.out.printf("stochastic rounding (master=%s): value %.9f, mean of %d draws %.9f, bias %.3e = %.2f standard errors"
                + " (%.4f rounded up, expected %.4f)%n", master, EXPECTED, N, mean, srBias, srBias / standardError,
                (double) up / N, fraction);
        assertTrue(Math.abs(srBias) <= 4 * standardError, "stochastic rounding bias " + srBias + " exceeds 4 standard errors "
                + standardError);

        float[] ne = oneStep(master, precision(master), 2, vectorizedIfAvailable());
        double neBias = Arrays.stream(toDoubles(ne)).average().orElseThrow() - EXPECTED;
        System.out.printf("nearest-even on the same data: bias %.3e = %.0f standard errors%n", neBias, neBias / standardError);
        assertEquals(DOWN - EXPECTED, neBias, 1e-12, "nearest-even always rounds down here");
        assertTrue(Math.abs(neBias) > 100 * standardError);
    }

    @ParameterizedTest(name = "master weights: {0}")
    @ValueSource(booleans = {true, false})
    void seededAndReproducible(boolean master) {
        float[] a = oneStep(master, precision(master).withStochasticRounding(42), 1, false);
        float[] b = oneStep(master, precision(master).withStochasticRounding(42), 3, vectorizedIfAvailable());
        assertArrayEquals(a, b, "same seed: same bits on 1 thread scalar and 3 threads vector");
        float[] c = oneStep(master, precision(master).withStochasticRounding(43), 1, false);
        assertFalse(Arrays.equals(a, c), "another seed draws other bits");
        long differ = 0;
        for (int i = 0; i < N; i++) {
            differ += a[i] != c[i] ? 1 : 0;
        }
        // independent draws disagree with probability 2 f (1 - f), about 0.37 here
        double f = (EXPECTED - DOWN) / (UP - DOWN);
        assertEquals(2 * f * (1 - f), (double) differ / N, 0.01, "seeds 42 and 43 look independent");
    }

    private static boolean vectorizedIfAvailable() {
        return VectorizationProvider.getInstance().vectorized();
    }
}
