package dev.fusedstep.amp;

import static dev.fusedstep.amp.AmpFixtures.bytes;
import static dev.fusedstep.amp.AmpFixtures.floats;
import static dev.fusedstep.amp.AmpFixtures.gaussian;
import static dev.fusedstep.amp.AmpFixtures.rounded;
import static dev.fusedstep.amp.AmpFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.Precision;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer under every storage layout, against a float32 run of the same problem: the
 * same starting values and the same gradients (both rounded to the half dtype first, so that the
 * only difference left is how the optimizer stores its numbers).
 * <ul>
 *   <li>(b) master weights: the master trajectory and the states are bit-identical to the float32
 *       run, and after every step each half parameter is the nearest-even cast of its master (or,
 *       with stochastic rounding, one of the two half neighbours of the master);</li>
 *   <li>(a) all-half and (c) half states: close to the float32 run, within the error the storage
 *       can explain (see {@link #tolerance}).</li>
 * </ul>
 */
class MixedPrecisionTest {

    private static final int N = 20_000 + 37; // two chunks and a vector tail
    private static final int STEPS = 8;
    private static final long SEED = 17;

    static Stream<Arguments> masterCases() {
        List<Arguments> out = new ArrayList<>();
        for (OptimizerRule rule : AmpFixtures.everyOptimizer()) {
            for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
                for (boolean vectorized : new boolean[] {true, false}) {
                    out.add(Arguments.of(rule, dtype, false, vectorized));
                }
            }
            out.add(Arguments.of(rule, DType.BF16, true, true));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} stochastic={2} vectorized={3}")
    @MethodSource("masterCases")
    void masterWeightsFollowTheFloat32TrajectoryBitForBit(OptimizerRule rule, DType dtype, boolean stochastic,
            boolean vectorized) {
        org.junit.jupiter.api.Assumptions.assumeTrue(!vectorized
                || dev.fusedstep.internal.vectorization.VectorizationProvider.getInstance().vectorized());
        Random rnd = new Random(SEED);
        try (Arena arena = Arena.ofShared()) {
            float[] p0 = rounded(dtype, gaussian(rnd, N, 1));
            Tensor half = tensor(arena, dtype, p0), halfGrad = Tensor.allocate(arena, dtype, N);
            Tensor ref = tensor(arena, DType.F32, p0), refGrad = Tensor.allocate(arena, DType.F32, N);
            Precision precision = stochastic ? Precision.masterWeights().withStochasticRounding(99) : Precision.masterWeights();
            try (Optimizer mixed = Optimizer.builder().group(rule, precision, Param.of("p", half, halfGrad))
                            .vectorized(vectorized).build();
                    Optimizer f32 = Optimizer.builder().group(rule, Param.of("p", ref, refGrad)).vectorized(vectorized).build()) {
                Tensor master = mixed.masterWeights("p");
                assertArrayEquals(bytes(ref), bytes(master), "the master starts as the widened half param");
                for (int t = 1; t <= STEPS; t++) {
                    float[] g = rounded(dtype, gaussian(rnd, N, 0.5));
                    AmpFixtures.fill(halfGrad, g);
                    refGrad.copyFrom(g);
                    mixed.step();
                    f32.step();
                    assertArrayEquals(bytes(ref), bytes(master), "step " + t + ": master vs float32 run");
                    for (String s : rule.stateNames()) {
                        assertArrayEquals(bytes(f32.state("p", s)), bytes(mixed.state("p", s)), "step " + t + ": state " + s);
                    }
                    float[] m = master.toFloatArray();
                    float[] h = floats(half);
                    if (!stochastic) {
                        assertArrayEquals(rounded(dtype, m), h, "step " + t + ": half param is the nearest-even cast of the master");
                    } else {
                        for (int i = 0; i < N; i++) {
                            float down = bf16Down(m[i]), up = bf16Up(m[i]);
                            int k = i;
                            assertTrue(h[i] == down || h[i] == up, () -> "step " + " element " + k + ": " + h[k]
                                    + " is not a BF16 neighbour of the master " + m[k]);
                        }
                    }
                }
            }
        }
    }

    /** Largest BF16 value <= v (v finite). */
    static float bf16Down(float v) {
        int bits = Float.floatToRawIntBits(v);
        float truncated = Float.intBitsToFloat(bits & 0xFFFF0000);
        return truncated <= v ? truncated : Float.intBitsToFloat((bits & 0xFFFF0000) - 0x10000 * (v < 0 ? -1 : 1));
    }

    /** Smallest BF16 value >= v (v finite). */
    static float bf16Up(float v) {
        return -bf16Down(-v);
    }

    record Layout(String name, DType paramType, Precision precision, DType roundedTo) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> closeCases() {
        List<Layout> layouts = List.of(
                new Layout("(a) all BF16", DType.BF16, Precision.defaults(), DType.BF16),
                new Layout("(a) all F16", DType.F16, Precision.defaults(), DType.F16),
                new Layout("(a) all BF16, stochastic", DType.BF16, Precision.defaults().withStochasticRounding(3), DType.BF16),
                new Layout("(c) F32 + BF16 states", DType.F32, Precision.states(DType.BF16), DType.BF16),
                new Layout("(c) F32 + F16 states", DType.F32, Precision.states(DType.F16), DType.F16));
        List<Arguments> out = new ArrayList<>();
        for (OptimizerRule rule : AmpFixtures.everyOptimizer()) {
            for (Layout l : layouts) {
                out.add(Arguments.of(rule, l));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("closeCases")
    void compressedStorageStaysCloseToFloat32(OptimizerRule rule, Layout layout) {
        Random rnd = new Random(SEED);
        DType h = layout.roundedTo();
        try (Arena arena = Arena.ofShared()) {
            float[] p0 = rounded(h, gaussian(rnd, N, 1));
            Tensor param = tensor(arena, layout.paramType(), p0), grad = Tensor.allocate(arena, layout.paramType(), N);
            Tensor ref = tensor(arena, DType.F32, p0), refGrad = Tensor.allocate(arena, DType.F32, N);
            double[] movement = new double[N];
            float[] prev = p0.clone();
            try (Optimizer small = Optimizer.builder().group(rule, layout.precision(), Param.of("p", param, grad)).build();
                    Optimizer f32 = Optimizer.builder().group(rule, Param.of("p", ref, refGrad)).build()) {
                for (int t = 1; t <= STEPS; t++) {
                    float[] g = rounded(h, gaussian(rnd, N, 0.5));
                    AmpFixtures.fill(grad, g);
                    refGrad.copyFrom(g);
                    small.step();
                    f32.step();
                    float[] now = ref.toFloatArray();
                    for (int i = 0; i < N; i++) {
                        movement[i] += Math.abs(now[i] - prev[i]);
                    }
                    prev = now;
                }
                float[] ours = floats(param), theirs = ref.toFloatArray();
                double worst = 0, sumErr = 0, sumMove = 0;
                int worstAt = 0;
                for (int i = 0; i < N; i++) {
                    double err = Math.abs(ours[i] - theirs[i]);
                    double ratio = err / tolerance(layout, theirs[i], movement[i]);
                    if (ratio > worst) {
                        worst = ratio;
                        worstAt = i;
                    }
                    sumErr += err;
                    sumMove += movement[i];
                }
                System.out.printf("mixed-precision %-55s %-26s max err/tolerance %.3f, mean err %.3e = %.4f x mean movement%n",
                        rule, layout, worst, sumErr / N, sumErr / sumMove);
                int w = worstAt;
                assertTrue(worst <= 1, () -> layout + ": element " + w + " is " + ours[w] + ", float32 run " + theirs[w]
                        + ", moved " + movement[w] + " in " + STEPS + " steps");
            }
        }
    }

    /**
     * The distance from the float32 run that the storage explains, per element, after
     * {@link #STEPS} steps: each step may round the parameter by half an ulp of its dtype
     * (relative 2^-9 for BF16, 2^-12 for F16) or lose an update smaller than that, so
     * {@code STEPS * ulp/2} (a whole ulp per step with stochastic rounding, which may pick the
     * farther neighbour: unbiased, not nearer); and the states, stored rounded at relative 2^-9 (BF16) per step,
     * perturb each update by a few times that, compounding over the steps: we allow 25% of the
     * total movement of the element in the float32 run (measured: see the printed ratios), plus
     * 1e-6 absolute for elements that barely move.
     */
    static double tolerance(Layout layout, float reference, double movement) {
        double paramUlp = layout.paramType() == DType.F32 ? 0 : ulp(layout.paramType(), Math.abs(reference) + movement);
        double perStep = layout.precision().stochasticRounding() ? paramUlp : paramUlp / 2;
        return STEPS * perStep + 0.25 * movement + 1e-6;
    }

    static double ulp(DType dtype, double magnitude) {
        int mantissaBits = dtype == DType.BF16 ? 7 : 10;
        double m = Math.max(magnitude, dtype == DType.BF16 ? Float.MIN_NORMAL : Math.scalb(1.0, -14));
        return Math.scalb(1.0, Math.getExponent(m) - mantissaBits);
    }
}
