package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.assertSameBits;
import static dev.fusedstep.internal.cuda.GpuTests.download;
import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static dev.fusedstep.internal.cuda.GpuTests.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.CudaRuntime;
import dev.fusedstep.clip.GradClipping;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Norms and clipping on the device: the CPU's norm to double rounding, the same bits on every
 * run, found-inf raised by a non-finite gradient, and clipping that scales by the coefficient the
 * CPU formula gives for that norm.
 */
@Tag("gpu")
class CudaNormTest {

    static final int[] SIZES = {5, 70_000, DeviceLayouts.CHUNK, 1_000_003};

    @Test
    void normsMatchTheCpuAndRepeatBitForBit() {
        CudaBackend backend = GpuTests.backend();
        Random r = new Random(3);
        try (DeviceArena arena = new DeviceArena(backend.ordinal())) {
            List<float[]> host = new ArrayList<>();
            List<Tensor> device = new ArrayList<>();
            for (int n : SIZES) {
                float[] g = gaussian(r, n, 0.01);
                host.add(g);
                device.add(upload(arena, g));
            }
            TensorTable rows = TensorTable.of(arena, device);
            MemorySegment partials = arena.allocateBytes(8 * rows.totalChunks());
            MemorySegment total = arena.allocateBytes(8);
            List<Tensor> hostTensors = host.stream().map(Tensor::of).toList();
            double[][] cases = {{DeviceLayouts.NORM_L2, 2, GradClipping.L2}, {DeviceLayouts.NORM_INF, 0, GradClipping.INF},
                    {DeviceLayouts.NORM_L1, 1, 1.0}, {DeviceLayouts.NORM_P, 3, 3.0}};
            for (double[] c : cases) {
                int kind = (int) c[0];
                DeviceOps.norm(backend, rows, kind, c[1], MemorySegment.NULL, partials, total, MemorySegment.NULL);
                double first = readDouble(backend, total);
                DeviceOps.norm(backend, rows, kind, c[1], MemorySegment.NULL, partials, total, MemorySegment.NULL);
                double second = readDouble(backend, total);
                assertEquals(Double.doubleToRawLongBits(first), Double.doubleToRawLongBits(second), "norm kind " + kind + " repeats");
                double cpu = GradClipping.totalNorm(hostTensors, c[2]);
                double tolerance = kind == DeviceLayouts.NORM_INF ? 0 : 1e-12 * cpu;
                assertEquals(cpu, first, tolerance, "norm kind " + kind + " vs CPU");
            }
        }
    }

    @Test
    void nonFiniteGradientRaisesFoundInf() {
        CudaBackend backend = GpuTests.backend();
        try (DeviceArena arena = new DeviceArena(backend.ordinal())) {
            float[] g = gaussian(new Random(5), 40_000, 1);
            g[31_337] = Float.NaN;
            TensorTable rows = TensorTable.of(arena, List.of(upload(arena, new float[] {1, 2}), upload(arena, g)));
            MemorySegment partials = arena.allocateBytes(8 * rows.totalChunks());
            MemorySegment total = arena.allocateBytes(8);
            Tensor foundInf = upload(arena, new float[] {0f});
            DeviceOps.norm(backend, rows, DeviceLayouts.NORM_L2, 2, MemorySegment.NULL, partials, total, foundInf.segment());
            assertTrue(Double.isNaN(readDouble(backend, total)));
            assertEquals(1f, download(foundInf)[0], "found_inf");
        }
    }

    @Test
    void clippingScalesByTheCpuCoefficient() {
        CudaBackend backend = GpuTests.backend();
        Random r = new Random(9);
        try (DeviceArena arena = new DeviceArena(backend.ordinal())) {
            float[] a = gaussian(r, 123_457, 1), b = gaussian(r, 999, 1);
            Tensor da = upload(arena, a), db = upload(arena, b);
            TensorTable rows = TensorTable.of(arena, List.of(da, db));
            MemorySegment partials = arena.allocateBytes(8 * rows.totalChunks());
            MemorySegment total = arena.allocateBytes(8);
            Tensor coefficient = upload(arena, new float[] {0f});
            double maxNorm = 1.5;
            DeviceOps.norm(backend, rows, DeviceLayouts.NORM_L2, 2, MemorySegment.NULL, partials, total, MemorySegment.NULL);
            DeviceOps.clipCoefficient(backend, total, maxNorm, coefficient.segment());
            DeviceOps.scale(backend, rows, coefficient.segment());
            double norm = readDouble(backend, total);
            float c = GradClipping.clipCoefficient(maxNorm, norm);
            assertEquals(c, download(coefficient)[0], "clip coefficient");
            for (int i = 0; i < a.length; i++) {
                a[i] = a[i] * c;
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = b[i] * c;
            }
            assertSameBits(a, download(da), "clipped a");
            assertSameBits(b, download(db), "clipped b");
        }
    }

    static double readDouble(CudaBackend backend, MemorySegment devicePtr) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(ValueLayout.JAVA_DOUBLE);
            backend.copyAndWait(host, devicePtr, 8, CudaRuntime.cudaMemcpyDeviceToHost);
            return host.get(ValueLayout.JAVA_DOUBLE, 0);
        }
    }
}
