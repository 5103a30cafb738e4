package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.GpuTests.assertSameBits;
import static dev.fusedstep.internal.cuda.GpuTests.gaussian;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The MLP kernels' code (tensor/mlp.cu) on the host (HostEmulation; the loss's block on real
 * threads) against the CPU demo network's loops (cli Mlp): ReLU as Math.max(h, 0f) and its
 * gradient zero wherever !(h > 0), bit for bit, including -0, 0 and NaN; the MSE gradient
 * (out - y) * scale bit for bit, and the loss to double rounding of the CPU's row-order sum, the
 * same bits on every run.
 */
class HostEmulationMlpTest {

    /** The demo's batches, one row, and sizes that leave the threads of the loss block unevenly loaded. */
    static final int[] SIZES = {1, 7, 256, 300, 512, 1000};

    private static final FunctionDescriptor ELEMENTWISE = FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS,
            JAVA_LONG);

    @Test
    void reluAndItsGradientHaveTheCpuBitsForAnyGrid() throws Throwable {
        HostEmulation emu = emulation();
        MethodHandle relu = emu.entry("fs_host_relu", ELEMENTWISE);
        MethodHandle backward = emu.entry("fs_host_relu_backward", ELEMENTWISE);
        Random r = new Random(5);
        for (int n : SIZES) {
            float[] h = MlpReference.withSpecials(gaussian(r, n, 1));
            float[] upstream = gaussian(r, n, 1);
            float[] wantA = MlpReference.relu(h), wantD = MlpReference.reluBackward(h, upstream);
            for (int[] geometry : new int[][] {{1, 256}, {3, 64}, {1, 1}, {(n + 255) / 256, 256}}) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment hs = arena.allocateFrom(JAVA_FLOAT, h), a = arena.allocate(JAVA_FLOAT, n);
                    MemorySegment d = arena.allocateFrom(JAVA_FLOAT, upstream);
                    relu.invokeExact(geometry[0], geometry[1], hs, a, (long) n);
                    backward.invokeExact(geometry[0], geometry[1], hs, d, (long) n);
                    String where = "n " + n + ", grid " + geometry[0] + " x " + geometry[1];
                    assertSameBits(wantA, a.toArray(JAVA_FLOAT), "relu, " + where);
                    assertSameBits(wantD, d.toArray(JAVA_FLOAT), "relu backward, " + where);
                    // -0 becomes +0, as Math.max(-0f, 0f) and PyTorch's relu
                    assertEquals(0, Float.floatToRawIntBits(a.getAtIndex(JAVA_FLOAT, Math.min(1, n - 1))) & 0x80000000);
                }
            }
        }
    }

    @Test
    void mseGradientHasTheCpuBitsAndTheLossItsValue() throws Throwable {
        HostEmulation emu = emulation();
        MethodHandle mse = emu.entry("fs_host_mse_loss", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG, JAVA_FLOAT,
                ADDRESS, ADDRESS));
        Random r = new Random(6);
        for (int n : SIZES) {
            float[] out = gaussian(r, n, 1), y = gaussian(r, n, 1);
            float lossScale = n % 2 == 0 ? 1f : 65536f;
            float scale = 2f / n * lossScale;  // as the CPU Mlp computes it
            float[] wantGrad = MlpReference.mseGradient(out, y, scale);
            double wantLoss = MlpReference.mseLoss(out, y);
            double[] runs = new double[2];
            for (int run = 0; run < 2; run++) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment grad = arena.allocate(JAVA_FLOAT, n), loss = arena.allocate(JAVA_DOUBLE);
                    mse.invokeExact(arena.allocateFrom(JAVA_FLOAT, out), arena.allocateFrom(JAVA_FLOAT, y), (long) n, scale, grad,
                            loss);
                    assertSameBits(wantGrad, grad.toArray(JAVA_FLOAT), "MSE gradient, n " + n);
                    runs[run] = loss.get(JAVA_DOUBLE, 0);
                }
            }
            // n additions of exact squares in another order: within n double roundings of the CPU's sum
            assertTrue(Math.abs(runs[0] - wantLoss) <= n * 0x1p-52 * wantLoss, "n " + n + ": loss " + runs[0] + ", CPU " + wantLoss);
            assertEquals(Double.doubleToRawLongBits(runs[0]), Double.doubleToRawLongBits(runs[1]), "n " + n + ": same bits every run");
        }
    }

    private static HostEmulation emulation() {
        var e = HostEmulation.get();
        assumeTrue(e.isPresent(), HostEmulation::whyUnavailable);
        return e.get();
    }
}
