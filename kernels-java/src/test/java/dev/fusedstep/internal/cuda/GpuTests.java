package dev.fusedstep.internal.cuda;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import java.util.Random;

/**
 * What the GPU tests share: one backend on device 0 for the whole JVM, opened on first use, and
 * a visible skip with the backend's reason where there is no GPU (or no CUDA, or no kernels).
 * The GPU machine runs them through scripts/gpu-test.
 */
final class GpuTests {
    private GpuTests() {}

    /** The backend, or a skipped test that says why there is none. */
    static CudaBackend backend() {
        CudaBackend.Availability a = CudaBackend.availability();
        assumeTrue(a.available(), () -> "no GPU backend here: " + a.reason());
        return CudaBackend.shared(0);
    }

    /** A device copy of {@code values}. */
    static Tensor upload(DeviceArena arena, float[] values) {
        Tensor t = arena.allocate(DType.F32, values.length);
        DeviceArena.copy(Tensor.of(values.clone()), t);
        return t;
    }

    /** The elements of a float32 device tensor (waits for the copy). */
    static float[] download(Tensor device) {
        if (device.device().equals(Device.CPU)) {
            return device.toFloatArray();
        }
        float[] out = new float[Math.toIntExact(device.numel())];
        DeviceArena.copy(device, Tensor.of(out));
        return out;
    }

    /** Gaussian values times {@code scale}: never all zeros, which would hide unwritten outputs. */
    static float[] gaussian(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    /** Same bits everywhere, any NaN matching any NaN (CUDA and x86 make different NaN payloads). */
    static void assertSameBits(float[] expected, float[] actual, String what) {
        if (expected.length != actual.length) {
            fail(what + ": " + actual.length + " elements, expected " + expected.length);
        }
        int mismatches = 0, first = -1;
        for (int i = 0; i < expected.length; i++) {
            boolean same = Float.floatToRawIntBits(expected[i]) == Float.floatToRawIntBits(actual[i])
                    || (Float.isNaN(expected[i]) && Float.isNaN(actual[i]));
            if (!same) {
                if (first < 0) {
                    first = i;
                }
                mismatches++;
            }
        }
        if (mismatches > 0) {
            fail(what + ": " + mismatches + " of " + expected.length + " elements differ in their bits; first at " + first
                    + ": expected " + expected[first] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(expected[first]))
                    + "), got " + actual[first] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(actual[first])) + ")");
        }
    }
}
