package dev.fusedstep.internal.cuda;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.cast.Casts;
import dev.fusedstep.clip.GradClipping;
import dev.fusedstep.internal.cpu.NormKernel;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The public GradClipping on CUDA gradients of mixed dtypes (one of them off 16-byte alignment):
 * the CPU's norm to double rounding (the max norm exactly), clipping by norm with the CPU's bits
 * for the returned norm, clipping by value with the CPU's bits.
 */
@Tag("gpu")
class CudaPublicClippingTest {

    private static final DType[] DTYPES = {DType.F32, DType.F16, DType.BF16, DType.F16, DType.F32};
    private static final int[] SIZES = {123_457, 70_001, DeviceLayouts.CHUNK, 9, 0};

    /** The same gradients on the host and on the device. */
    private record Grads(List<Tensor> host, List<Tensor> device) {}

    private static Grads grads(Arena host, DeviceArena arena, long seed) {
        Random r = new Random(seed);
        List<Tensor> h = new ArrayList<>(), d = new ArrayList<>();
        for (int t = 0; t < SIZES.length; t++) {
            float[] values = new float[SIZES[t]];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (r.nextGaussian() * 2);
            }
            Tensor ht = Tensor.allocate(host, DTYPES[t], SIZES[t]);
            Casts.convert(Tensor.of(values), ht);
            Tensor dt;
            if (t == 1) {  // one element off 16-byte alignment: the kernels' element path
                Tensor wider = arena.allocate(DTYPES[t], SIZES[t] + 1);
                dt = Tensor.of(wider.segment().asSlice(DTYPES[t].byteSize(), ht.segment().byteSize()), DTYPES[t],
                        wider.device(), SIZES[t]);
                DeviceArena.copy(ht, dt);
            } else {
                dt = arena.upload(ht);
            }
            h.add(ht);
            d.add(dt);
        }
        return new Grads(h, d);
    }

    @Test
    void totalNormMatchesTheCpu() {
        CudaBackend backend = GpuTests.backend();
        try (Arena host = Arena.ofConfined(); DeviceArena arena = new DeviceArena(backend.ordinal())) {
            Grads g = grads(host, arena, 31);
            for (double normType : new double[] {GradClipping.L2, GradClipping.INF, 1.0, 3.0}) {
                double cpu = GradClipping.totalNorm(g.host(), normType);
                double gpu = GradClipping.totalNorm(g.device(), normType);
                assertEquals(cpu, gpu, normType == GradClipping.INF ? 0 : 1e-12 * cpu, "norm " + normType);
                double again = GradClipping.totalNorm(g.device(), normType);
                assertEquals(Double.doubleToRawLongBits(gpu), Double.doubleToRawLongBits(again), "norm " + normType + " repeats");
            }
        }
    }

    @Test
    void clipGradNormScalesWithTheCpuBits() {
        CudaBackend backend = GpuTests.backend();
        try (Arena host = Arena.ofConfined(); DeviceArena arena = new DeviceArena(backend.ordinal())) {
            Grads g = grads(host, arena, 32);
            double maxNorm = 3.7;
            double cpuNorm = GradClipping.totalNorm(g.host(), 2);
            double total = GradClipping.clipGradNorm(g.device(), maxNorm, 2);
            assertEquals(cpuNorm, total, 1e-12 * cpuNorm, "returned norm");
            float c = GradClipping.clipCoefficient(maxNorm, total);
            assertTrue(c < 1f, "the case must clip: " + c);
            for (Tensor t : g.host()) {
                NormKernel.scale(t.segment(), t.dtype(), c, 0, t.numel(), false);
            }
            assertSameBytes(host, g, "clipped by norm");
        }
    }

    @Test
    void clipGradValueClampsWithTheCpuBits() {
        CudaBackend backend = GpuTests.backend();
        try (Arena host = Arena.ofConfined(); DeviceArena arena = new DeviceArena(backend.ordinal())) {
            Grads g = grads(host, arena, 33);
            GradClipping.clipGradValue(g.device(), 1.3);
            GradClipping.clipGradValue(g.host(), 1.3);
            assertSameBytes(host, g, "clipped by value");
        }
    }

    private static void assertSameBytes(Arena host, Grads g, String what) {
        for (int t = 0; t < SIZES.length; t++) {
            Tensor back = Tensor.allocate(host, DTYPES[t], SIZES[t]);
            if (SIZES[t] > 0) {
                DeviceArena.copy(g.device().get(t), back);
            }
            assertArrayEquals(g.host().get(t).segment().toArray(JAVA_BYTE), back.segment().toArray(JAVA_BYTE),
                    what + ": grads[" + t + "] (" + DTYPES[t] + ")");
        }
    }
}
