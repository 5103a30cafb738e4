package dev.fusedstep.internal.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.init.Init;
import dev.fusedstep.init.QuantileReference;
import dev.fusedstep.init.RandomStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The initializer kernels' code (native/src/main/cuda/tensor/init.cu), compiled for the host and
 * run thread by thread, gives the CPU initializers' bits: for every dtype, several seeds and
 * streams, stream offsets that cut Philox blocks (and normal pairs) anywhere, lengths with tails,
 * 16-byte-aligned and unaligned outputs, and grids that make threads walk more than one block.
 * The expected values are the public CPU {@link Init} on a host tensor covering
 * {@code [0, first + n)}; the kernel writes {@code [first, first + n)}.
 */
class HostEmulationInitTest {

    /** (first, n): offsets 0-3 and beyond a block, lengths below, at and past block and chunk sizes. */
    static final long[][] RANGES = {{0, 1}, {0, 4}, {0, 7}, {1, 1}, {1, 2}, {2, 5}, {3, 6}, {3, 1}, {5, 1003},
        {0, DeviceLayouts.CHUNK + 3}, {4097, 4099}};
    static final RandomStream[] STREAMS = {RandomStream.of(0), RandomStream.of(42), new RandomStream(-1L, 7),
        new RandomStream(0x0123456789ABCDEFL, 0xFEDCBA9876543210L)};

    /** A CPU initializer and its kernel twin: {@code kernel(grid, block, out, n, first, dtypeCode, rng)}. */
    record Case(String name, BiConsumer<Tensor, RandomStream> cpu, KernelCall kernel) {
        @Override
        public String toString() {
            return name;
        }
    }

    interface KernelCall {
        void run(HostEmulation emu, int grid, int block, MemorySegment out, long n, long first, int dtype, RandomStream rng);
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        for (float[] ab : new float[][] {{0f, 1f}, {-0.3f, 0.7f}, {-0.0625f, 0.0625f}, {2f, 2f}, {-1e30f, 1e30f}}) {
            c.add(new Case("uniform(" + ab[0] + ", " + ab[1] + ")", (t, rng) -> Init.uniform(t, ab[0], ab[1], rng),
                    (emu, grid, block, out, n, first, dtype, rng) ->
                            emu.initUniform(grid, block, out, n, first, dtype, rng.seed(), rng.stream(), ab[0], ab[1])));
        }
        for (float[] ms : new float[][] {{0f, 1f}, {2.5f, 0.01f}, {-1f, 3f}, {0.5f, 0f}}) {
            c.add(new Case("normal(" + ms[0] + ", " + ms[1] + ")", (t, rng) -> Init.normal(t, ms[0], ms[1], rng),
                    (emu, grid, block, out, n, first, dtype, rng) ->
                            emu.initNormal(grid, block, out, n, first, dtype, rng.seed(), rng.stream(), ms[0], ms[1])));
        }
        // the default, a shifted one, a one-sided one and a far tail (the quantile's tail rationals)
        for (double[] p : new double[][] {{0, 1, -2, 2}, {1, 0.5, -0.25, 1.75}, {0, 0.02, Double.NEGATIVE_INFINITY, 0.01},
            {0, 1, 3, 5}}) {
            c.add(new Case("truncNormal(" + p[0] + ", " + p[1] + ", " + p[2] + ", " + p[3] + ")",
                    (t, rng) -> Init.truncNormal(t, p[0], p[1], p[2], p[3], rng),
                    (emu, grid, block, out, n, first, dtype, rng) -> emu.initTruncNormal(grid, block, out, n, first, dtype,
                            rng.seed(), rng.stream(), p[0], p[1], p[2], p[3])));
        }
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void randomKernelsHaveTheCpuBits(Case k) {
        HostEmulation emu = HostEmulationTest.emulation();
        for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16}) {
            for (RandomStream rng : STREAMS) {
                for (long[] range : RANGES) {
                    for (int[] geometry : new int[][] {{3, 64}, {1, 1}}) {
                        for (boolean unaligned : new boolean[] {false, true}) {
                            check(emu, k, dtype, rng, range[0], range[1], geometry[0], geometry[1], unaligned);
                        }
                    }
                }
            }
        }
    }

    @Test
    void constantHasTheCpuBits() {
        HostEmulation emu = HostEmulationTest.emulation();
        for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16}) {
            for (float v : new float[] {0f, -0f, 1f, 0.1f, -3.3333333f, 65520f, 1e-8f, Float.MAX_VALUE}) {
                for (int n : new int[] {1, 5, 1001}) {
                    try (Arena arena = Arena.ofConfined()) {
                        Tensor expected = Tensor.allocate(arena, dtype, n);
                        Init.constant(expected, v);
                        MemorySegment out = arena.allocate((long) n * dtype.byteSize() + 16, 16).asSlice(4, (long) n * dtype.byteSize());
                        out.fill((byte) 0x5A);
                        emu.initConstant(2, 32, out, n, DeviceInit.dtypeCode(dtype), v);
                        assertSameBytes(expected.segment(), out, dtype, "constant " + v + " " + dtype + " n=" + n);
                    }
                }
            }
        }
    }

    /** The truncated normal's exp and log are fdlibm's: StrictMath's bits on arguments across every branch. */
    @Test
    void fdlibmPortsHaveStrictMathBits() {
        HostEmulation emu = HostEmulationTest.emulation();
        Random r = new Random(7);
        List<Double> xs = new ArrayList<>(List.of(0.0, -0.0, 1e-300, -1e-300, 0x1p-29, -0x1p-29, 0x1p-27, 0.3465, 0.3466,
                -0.3466, 1.0397, 1.0398, -1.0398, 709.78, 709.79, -745.1, -745.2, -708.4, -720.0, -744.0,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN));
        for (int i = 0; i < 200_000; i++) {
            xs.add(switch (i % 4) {
                case 0 -> (r.nextDouble() * 2 - 1) * 40;     // the truncated normal's range of -x^2 and beyond
                case 1 -> -r.nextDouble() * 760;             // down through the subnormal results
                case 2 -> (r.nextDouble() * 2 - 1) * 0.7;    // the reduction's first two branches
                default -> Math.scalb(r.nextDouble() * 2 - 1, -r.nextInt(40));
            });
        }
        for (double x : xs) {
            assertEquals(Double.doubleToRawLongBits(StrictMath.exp(x)) , Double.doubleToRawLongBits(emu.exp(x)),
                    () -> "exp(" + x + ")");
        }
        List<Double> ys = new ArrayList<>(List.of(1.0, 0x1p-1074, 0x1p-1030, Double.MIN_NORMAL, 1 + 0x1p-52, 1 - 0x1p-53,
                1 + 0x1p-21, 1 - 0x1p-22, Math.sqrt(2), Math.sqrt(0.5), 2.0, 0.5, Double.MAX_VALUE, 0.0,
                Double.POSITIVE_INFINITY));
        for (int i = 0; i < 200_000; i++) {
            ys.add(switch (i % 3) {
                case 0 -> r.nextDouble();                                    // giles' (1 - y)(1 + y)
                case 1 -> 1 + (r.nextDouble() * 2 - 1) * 0x1p-18;           // close to 1: the Taylor branch
                default -> Math.scalb(1 + r.nextDouble(), r.nextInt(2098) - 1074);  // every exponent, subnormals too
            });
        }
        for (double y : ys) {
            assertEquals(Double.doubleToRawLongBits(StrictMath.log(y)), Double.doubleToRawLongBits(emu.log(y)),
                    () -> "log(" + y + ")");
        }
    }

    /** The kernels' quantile in double, bit for bit, on the CPU tests' arguments (every case and edge). */
    @Test
    void normalQuantileHasTheCpuBits() {
        HostEmulation emu = HostEmulationTest.emulation();
        for (double v : QuantileReference.arguments()) {
            double expected = QuantileReference.ofErf(v);
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(emu.normalQuantile(v)),
                    () -> "normal quantile of " + v + ": expected " + expected);
        }
    }

    private static void check(HostEmulation emu, Case k, DType dtype, RandomStream rng, long first, long n, int grid,
            int block, boolean unaligned) {
        long size = dtype.byteSize();
        try (Arena arena = Arena.ofConfined()) {
            Tensor cpu = Tensor.allocate(arena, dtype, first + n);
            k.cpu.accept(cpu, rng);
            MemorySegment expected = cpu.segment().asSlice(first * size, n * size);
            MemorySegment out = arena.allocate(n * size + 16, 16).asSlice(unaligned ? size : 0, n * size);
            out.fill((byte) 0x5A);  // an unwritten element shows
            k.kernel.run(emu, grid, block, out, n, first, DeviceInit.dtypeCode(dtype), rng);
            assertSameBytes(expected, out, dtype, k + " " + dtype + " " + rng + " first=" + first + " n=" + n + " grid="
                    + grid + "x" + block + (unaligned ? " unaligned" : ""));
        }
    }

    static void assertSameBytes(MemorySegment expected, MemorySegment actual, DType dtype, String what) {
        long at = expected.mismatch(actual);
        if (at < 0) {
            return;
        }
        long i = at / dtype.byteSize();
        String e, a;
        if (dtype == DType.F32) {
            e = expected.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i) + "";
            a = actual.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i) + "";
        } else {
            e = "0x" + Integer.toHexString(expected.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i) & 0xFFFF);
            a = "0x" + Integer.toHexString(actual.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i) & 0xFFFF);
        }
        fail(what + ": element " + i + " of " + expected.byteSize() / dtype.byteSize() + " differs: expected " + e + ", got " + a);
    }
}
