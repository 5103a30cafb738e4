package dev.fusedstep.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.DType;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Shared checks for the optimizer kernels' tests: the Vector API loop against the scalar loop
 * (identical bits over every tail, unaligned slices, heap and native memory, several steps), and
 * the scalar loop against the update written out in double.
 */
final class LoopParityHarness {
    private LoopParityHarness() {}

    /** Where a case's buffers live: each exercises a different kind of segment and alignment. */
    enum Memory { HEAP_FLOATS, HEAP_BYTES, NATIVE }

    /** The optimizer's update in double, PyTorch's formula written plainly; one instance per trajectory. */
    interface DoubleReference {
        void step(long t, double[] param, double[] grad, double[][] states);
    }

    private static final int MAX_LANES = 16;
    private static final int STEPS = 10;

    /** Skips the calling test, with the reason, when this JVM runs without the Vector API. */
    static void assumeVectorized() {
        VectorizationProvider provider = VectorizationProvider.getInstance();
        assumeTrue(provider.vectorized(), "vector loop not testable here: " + provider.describe());
    }

    /**
     * Runs scalar and vector loops side by side for {@value #STEPS} steps on every length 0..40 and
     * on random lengths up to 5000, each with a fresh random rule from {@code newKernel}, a random
     * {@code [from, to)} window and a random start offset, in each kind of {@link Memory}, and
     * asserts that every buffer ends bit for bit the same after every step.
     */
    static void assertVectorMatchesScalar(Function<Random, OptimizerKernel> newKernel, long seed) {
        assertVectorMatchesScalar(newKernel, seed, Layout.ALL);
    }

    /** {@link #assertVectorMatchesScalar(Function, long)} with each case's layout drawn from {@code layouts} only. */
    static void assertVectorMatchesScalar(Function<Random, OptimizerKernel> newKernel, long seed, Layout... layouts) {
        assumeVectorized();
        Random rnd = new Random(seed);
        List<Integer> lengths = new ArrayList<>();
        for (int n = 0; n <= 2 * MAX_LANES + 8; n++) {
            lengths.add(n);
        }
        for (int k = 0; k < 40; k++) {
            lengths.add(rnd.nextInt(5001));
        }
        lengths.add(5000);
        for (int n : lengths) {
            for (Memory memory : Memory.values()) {
                compareOneCase(newKernel.apply(rnd), layouts[rnd.nextInt(layouts.length)], n, memory, rnd);
            }
        }
    }

    /** A storage layout under test: dtypes of param, grad and states, and whether a half copy is written. */
    record Layout(DType param, DType grad, DType state, DType paramOut, boolean stochastic) {
        /** Float32 master weights and states, BF16 gradient and parameter: the layout of {@link OptimizerKernel#vectorFused}'s default loop. */
        static final Layout BF16_MASTER = new Layout(DType.F32, DType.BF16, DType.F32, DType.BF16, false);

        /** Parameter, gradient and states all BF16, rounded to nearest-even. */
        static final Layout ALL_BF16 = new Layout(DType.BF16, DType.BF16, DType.BF16, null, false);

        /** Float32 parameter and gradient, BF16 states. */
        static final Layout BF16_STATES = new Layout(DType.F32, DType.F32, DType.BF16, null, false);

        static final Layout[] ALL = {
            new Layout(DType.F32, DType.F32, DType.F32, null, false),
            ALL_BF16,
            new Layout(DType.BF16, DType.BF16, DType.BF16, null, true),
            new Layout(DType.F16, DType.F16, DType.F16, null, false),
            BF16_MASTER,
            new Layout(DType.F32, DType.BF16, DType.F32, DType.BF16, true),
            new Layout(DType.F32, DType.F16, DType.F32, DType.F16, false),
            BF16_STATES,
        };
    }

    private static void compareOneCase(OptimizerKernel kernel, Layout layout, int n, Memory memory, Random rnd) {
        float gradScale = switch (rnd.nextInt(3)) {
            case 0 -> 1f;
            case 1 -> 0x1p-16f;
            default -> (float) rnd.nextDouble();
        };
        int states = kernel.stateCount();
        int buffers = 2 + states + (layout.paramOut() != null ? 1 : 0);
        DType[] types = new DType[buffers];
        types[0] = layout.param();
        types[1] = layout.grad();
        for (int j = 0; j < states; j++) {
            types[2 + j] = layout.state();
        }
        if (layout.paramOut() != null) {
            types[buffers - 1] = layout.paramOut();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] a = new MemorySegment[buffers], b = new MemorySegment[buffers];
            for (int j = 0; j < buffers; j++) {
                a[j] = allocate(memory, n, types[j], rnd, arena);
                b[j] = allocate(memory, n, types[j], rnd, arena);
            }
            fill(a[0], types[0], n, rnd, 1.0, false);
            for (int j = 2; j < 2 + states; j++) {
                // State starts at zero as in PyTorch, or at random non-negative values mid-trajectory.
                if (rnd.nextBoolean()) {
                    fill(a[j], types[j], n, rnd, Math.pow(10, -rnd.nextInt(6)), true);
                }
            }
            StepTarget ta = target(a, types, layout, states), tb = target(b, types, layout, states);
            int from = n == 0 ? 0 : rnd.nextInt(Math.min(n, 2 * MAX_LANES) + 1);
            int to = n - rnd.nextInt(Math.min(n - from, 2 * MAX_LANES) + 1);
            float[] s = new float[OptimizerKernel.SCALAR_SLOTS];
            double muProduct = 1.0;
            for (long t = 1; t <= STEPS; t++) {
                fill(a[1], types[1], n, rnd, Math.pow(10, 2 - rnd.nextInt(9)), false);
                for (int j = 0; j < buffers; j++) {
                    if (t == 1 || j == 1) {
                        MemorySegment.copy(a[j], 0, b[j], 0, a[j].byteSize());
                    }
                }
                muProduct *= kernel.momentumFactor(t);
                kernel.prepare(t, muProduct, s);
                s[OptimizerKernel.GRAD_SCALE] = gradScale;
                ta.setRoundingKey((int) t * 31);
                tb.setRoundingKey((int) t * 31);
                kernel.scalar(s, ta, from, to);
                kernel.vector(s, tb, from, to);
                for (int j = 0; j < buffers; j++) {
                    assertSameBits(a[j], b[j], types[j], n, kernel.getClass().getSimpleName() + " " + layout + " scale "
                            + gradScale + " n=" + n + " [" + from + ", " + to + ") " + memory + " step " + t + " buffer " + j);
                }
            }
        }
    }

    private static StepTarget target(MemorySegment[] seg, DType[] types, Layout layout, int states) {
        MemorySegment[] st = new MemorySegment[states];
        System.arraycopy(seg, 2, st, 0, states);
        MemorySegment out = layout.paramOut() != null ? seg[seg.length - 1] : null;
        return new StepTarget(seg[0], types[0], seg[1], types[1], st, layout.state(), out, layout.paramOut(),
                layout.stochastic());
    }

    /**
     * Runs the scalar loop for {@code steps} steps on {@code n} elements and the same update in
     * double, and asserts that every parameter stays within {@code tolerance} of the double one.
     */
    static void assertScalarTracksDouble(OptimizerKernel kernel, DoubleReference reference, int n, int steps,
            double tolerance, long seed) {
        Random rnd = new Random(seed);
        int buffers = 2 + kernel.stateCount();
        MemorySegment[] seg = new MemorySegment[buffers];
        double[][] ref = new double[buffers][n];
        for (int j = 0; j < buffers; j++) {
            seg[j] = MemorySegment.ofArray(new float[n]);
        }
        fill(seg[0], DType.F32, n, rnd, 1.0, false);
        for (int i = 0; i < n; i++) {
            ref[0][i] = F32.get(seg[0], i);
        }
        float[] s = new float[OptimizerKernel.SCALAR_SLOTS];
        double muProduct = 1.0;
        double[][] refStates = new double[buffers - 2][];
        System.arraycopy(ref, 2, refStates, 0, buffers - 2);
        for (long t = 1; t <= steps; t++) {
            fill(seg[1], DType.F32, n, rnd, 1.0, false);
            for (int i = 0; i < n; i++) {
                ref[1][i] = F32.get(seg[1], i);
            }
            muProduct *= kernel.momentumFactor(t);
            kernel.prepare(t, muProduct, s);
            s[OptimizerKernel.GRAD_SCALE] = 1f;
            kernel.scalar(s, StepTarget.f32(seg[0], seg[1], states(seg)), 0, n);
            reference.step(t, ref[0], ref[1], refStates);
            double worst = 0;
            int at = -1;
            for (int i = 0; i < n; i++) {
                double err = Math.abs(F32.get(seg[0], i) - ref[0][i]);
                if (!(err <= worst)) {
                    worst = err;
                    at = i;
                }
            }
            assertTrue(worst <= tolerance, kernel.getClass().getSimpleName() + " step " + t + ": param[" + at
                    + "] = " + (at < 0 ? "-" : F32.get(seg[0], at)) + ", double reference " + (at < 0 ? "-" : ref[0][at])
                    + ", error " + worst + " > " + tolerance);
        }
    }

    private static MemorySegment[] states(MemorySegment[] buffers) {
        MemorySegment[] st = new MemorySegment[buffers.length - 2];
        System.arraycopy(buffers, 2, st, 0, st.length);
        return st;
    }

    /** {@code n} elements of {@code type} at a random offset: whole elements into a float[], any byte into a byte[] or native memory. */
    private static MemorySegment allocate(Memory memory, int n, DType type, Random rnd, Arena arena) {
        long bytes = (long) n * type.byteSize();
        return switch (memory) {
            case HEAP_FLOATS -> {
                int lead = rnd.nextInt(MAX_LANES);
                yield MemorySegment.ofArray(new float[n + lead]).asSlice((long) lead * type.byteSize(), bytes);
            }
            case HEAP_BYTES -> {
                int lead = rnd.nextInt(64);
                yield MemorySegment.ofArray(new byte[(int) bytes + lead]).asSlice(lead, bytes);
            }
            case NATIVE -> {
                int lead = rnd.nextInt(64);
                yield arena.allocate(bytes + lead, 64).asSlice(lead, bytes);
            }
        };
    }

    /** Gaussian values of size {@code scale} (absolute if {@code nonNegative}), with some exact zeros, stored as {@code type}. */
    private static void fill(MemorySegment seg, DType type, int n, Random rnd, double scale, boolean nonNegative) {
        for (int i = 0; i < n; i++) {
            double x = rnd.nextInt(16) == 0 ? 0 : rnd.nextGaussian() * scale;
            Storage.store(seg, type, i, (float) (nonNegative ? Math.abs(x) : x));
        }
    }

    private static void assertSameBits(MemorySegment scalar, MemorySegment vector, DType type, int n, String where) {
        for (int i = 0; i < n; i++) {
            float x = Storage.load(scalar, type, i), y = Storage.load(vector, type, i);
            // Java leaves NaN bit patterns unspecified: with several NaN operands, which one survives
            // depends on the instruction the JIT picks, so every NaN counts as the same value.
            if (Float.floatToIntBits(x) != Float.floatToIntBits(y)) {
                fail(where + ": element " + i + " scalar " + x + " (0x" + Integer.toHexString(Float.floatToRawIntBits(x))
                        + ") vector " + y + " (0x" + Integer.toHexString(Float.floatToRawIntBits(y)) + ")");
            }
        }
    }
}
