package dev.fusedstep.internal.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.DType;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.init.FanMode;
import dev.fusedstep.init.Init;
import dev.fusedstep.init.RandomStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every initializer on a device tensor gives the bits the same call gives on a host tensor, for
 * every dtype: the public {@link Init} entry on tensors from a {@link DeviceArena}, shapes from
 * one element to several full grids, and {@link DeviceInit} with stream offsets that cut Philox
 * blocks. The host emulation checks the kernels' arithmetic on any machine; this checks the GPU's
 * own (its FMA, conversions and double arithmetic), the launches and the stores.
 */
@Tag("gpu")
class CudaInitTest {

    private static final DType[] DTYPES = {DType.F32, DType.BF16, DType.F16};
    /** Shapes: a scalar-sized one, odd tails, a conv weight, and about two full grids' worth of Philox blocks on an H200. */
    private static final long[][] SHAPES = {{1, 1}, {3, 5}, {7, 1001}, {64, 32, 3, 3}, {2053, 1031}};

    private static final RandomStream RNG = new RandomStream(0x5EEDL, 3);

    record Initializer(String name, BiConsumer<Tensor, RandomStream> init) {}

    private static final List<Initializer> ALL = List.of(
            new Initializer("zeros", (t, r) -> Init.zeros(t)),
            new Initializer("ones", (t, r) -> Init.ones(t)),
            new Initializer("constant(-0.1)", (t, r) -> Init.constant(t, -0.1)),
            new Initializer("uniform", Init::uniform),
            new Initializer("uniform(-3, 0.5)", (t, r) -> Init.uniform(t, -3, 0.5, r)),
            new Initializer("normal", Init::normal),
            new Initializer("normal(1, 0.02)", (t, r) -> Init.normal(t, 1, 0.02, r)),
            new Initializer("truncNormal", Init::truncNormal),
            new Initializer("truncNormal(0, 0.02, -0.04, 0.04)", (t, r) -> Init.truncNormal(t, 0, 0.02, -0.04, 0.04, r)),
            new Initializer("truncNormal tail (0, 1, 3, 5)", (t, r) -> Init.truncNormal(t, 0, 1, 3, 5, r)),
            new Initializer("xavierUniform", Init::xavierUniform),
            new Initializer("xavierNormal", Init::xavierNormal),
            new Initializer("kaimingUniform", Init::kaimingUniform),
            new Initializer("kaimingNormal(fan_out, relu)", (t, r) -> Init.kaimingNormal(t, 0, FanMode.FAN_OUT, "relu", r)),
            new Initializer("orthogonal", Init::orthogonal));

    @Test
    void everyInitializerAndDtypeHasTheCpuBits() {
        CudaBackend backend = GpuTests.backend();
        for (Initializer init : ALL) {
            for (DType dtype : DTYPES) {
                for (long[] shape : SHAPES) {
                    if (init.name.equals("orthogonal") && shape[0] > 1000) {
                        continue;  // the QR runs on the host in double: keep it small
                    }
                    try (DeviceArena arena = new DeviceArena(backend.ordinal()); Arena host = Arena.ofConfined()) {
                        Tensor expected = Tensor.allocate(host, dtype, shape);
                        init.init.accept(expected, RNG);
                        Tensor device = arena.allocate(dtype, shape);
                        init.init.accept(device, RNG);
                        assertSameBytes(expected, download(host, device), init.name + " " + dtype + " " + Arrays.toString(shape));
                    }
                }
            }
        }
    }

    @Test
    void streamOffsetsCutBlocksAnywhere() {
        CudaBackend backend = GpuTests.backend();
        for (DType dtype : DTYPES) {
            for (long first : new long[] {1, 2, 3, 5, 1L << 20}) {
                for (long n : new long[] {1, 2, 3, 6, 1001, (1 << 20) + 7}) {
                    try (DeviceArena arena = new DeviceArena(backend.ordinal()); Arena host = Arena.ofConfined()) {
                        Tensor whole = Tensor.allocate(host, dtype, first + n);
                        Tensor device = arena.allocate(dtype, n);
                        String what = dtype + " first=" + first + " n=" + n;

                        Init.uniform(whole, -1, 2, RNG);
                        DeviceInit.uniform(backend, device, first, RNG.seed(), RNG.stream(), -1f, 2f);
                        backend.synchronize();
                        assertSameBytes(tail(whole, first), download(host, device), "uniform " + what);

                        Init.normal(whole, 0.5, 2, RNG);
                        DeviceInit.normal(backend, device, first, RNG.seed(), RNG.stream(), 0.5f, 2f);
                        backend.synchronize();
                        assertSameBytes(tail(whole, first), download(host, device), "normal " + what);

                        Init.truncNormal(whole, 0, 1, -2, 2, RNG);
                        DeviceInit.truncNormal(backend, device, first, RNG.seed(), RNG.stream(), 0, 1, -2, 2);
                        backend.synchronize();
                        assertSameBytes(tail(whole, first), download(host, device), "truncNormal " + what);
                    }
                }
            }
        }
    }

    private static Tensor tail(Tensor whole, long first) {
        long size = whole.dtype().byteSize();
        MemorySegment s = whole.segment();
        return Tensor.of(s.asSlice(first * size, s.byteSize() - first * size), whole.dtype(), whole.numel() - first);
    }

    private static Tensor download(Arena host, Tensor device) {
        Tensor out = Tensor.allocate(host, device.dtype(), device.shape());
        DeviceArena.copy(device, out);
        return out;
    }

    private static void assertSameBytes(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.numel(), actual.numel(), what);
        HostEmulationInitTest.assertSameBytes(expected.segment(), actual.segment(), expected.dtype(), what);
    }
}
