package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.assertSameBits;
import static dev.fusedstep.internal.cuda.GpuTests.download;
import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static dev.fusedstep.internal.cuda.GpuTests.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The MLP kernels on the GPU (MlpKernels) against the CPU demo network's loops: ReLU and its
 * gradient bit for bit (edge values included), the MSE gradient bit for bit, the loss to double
 * rounding of the CPU's row-order sum and with the same bits on every run.
 */
@Tag("gpu")
class CudaMlpKernelsTest {

    @Test
    void reluAndItsGradientHaveTheCpuBits() {
        CudaBackend backend = GpuTests.backend();
        Random r = new Random(8);
        for (int n : HostEmulationMlpTest.SIZES) {
            float[] h = MlpReference.withSpecials(gaussian(r, n, 1)), upstream = gaussian(r, n, 1);
            try (DeviceArena arena = new DeviceArena(backend.ordinal())) {
                Tensor dh = upload(arena, h), da = upload(arena, new float[n]), dd = upload(arena, upstream);
                MlpKernels.relu(backend, dh, da);
                MlpKernels.reluBackward(backend, dh, dd);
                backend.synchronize();
                assertSameBits(MlpReference.relu(h), download(da), "relu, n " + n);
                assertSameBits(MlpReference.reluBackward(h, upstream), download(dd), "relu backward, n " + n);
            }
        }
    }

    @Test
    void mseGradientHasTheCpuBitsAndTheLossItsValueEveryRun() {
        CudaBackend backend = GpuTests.backend();
        Random r = new Random(9);
        for (int n : HostEmulationMlpTest.SIZES) {
            float[] out = gaussian(r, n, 1), y = gaussian(r, n, 1);
            float scale = 2f / n * (n % 2 == 0 ? 1f : 65536f);
            try (DeviceArena arena = new DeviceArena(backend.ordinal())) {
                Tensor dOut = upload(arena, out), dy = upload(arena, y), grad = upload(arena, new float[n]);
                MemorySegment loss = arena.allocateBytes(8);
                long[] bits = new long[2];
                for (int run = 0; run < 2; run++) {
                    MlpKernels.mseLoss(backend, dOut, dy, scale, grad, loss);
                    bits[run] = backend.readLong(loss, 0);
                }
                assertSameBits(MlpReference.mseGradient(out, y, scale), download(grad), "MSE gradient, n " + n);
                double want = MlpReference.mseLoss(out, y), got = Double.longBitsToDouble(bits[0]);
                assertTrue(Math.abs(got - want) <= n * 0x1p-52 * want, "n " + n + ": loss " + got + ", CPU " + want);
                assertEquals(bits[0], bits[1], "n " + n + ": same bits every run");
            }
        }
    }

    @Test
    void badTensorsAreRefusedBeforeALaunch() {
        CudaBackend backend = GpuTests.backend();
        try (DeviceArena arena = new DeviceArena(backend.ordinal())) {
            Tensor h = upload(arena, new float[4]), shorter = upload(arena, new float[3]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MlpKernels.relu(backend, h, shorter));
            assertTrue(e.getMessage().startsWith("a: got 3 elements, expected 4"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> MlpKernels.relu(backend, Tensor.of(new float[4]), h));
            assertTrue(e.getMessage().startsWith("h: got a tensor on cpu, expected cuda:"), e.getMessage());
            Tensor half = arena.allocate(DType.BF16, 4);
            e = assertThrows(IllegalArgumentException.class, () -> MlpKernels.reluBackward(backend, h, half));
            assertTrue(e.getMessage().startsWith("d: got dtype BF16, expected F32"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> MlpKernels.mseLoss(backend, h, h, 1f, upload(arena, new float[4]), MemorySegment.NULL));
            assertTrue(e.getMessage().startsWith("loss: got NULL"), e.getMessage());
        }
    }
}
