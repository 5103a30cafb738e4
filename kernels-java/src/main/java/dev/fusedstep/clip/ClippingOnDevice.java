package dev.fusedstep.clip;

import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cuda.CudaBackend;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.internal.cuda.DeviceOps;
import dev.fusedstep.internal.cuda.TensorTable;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@link GradClipping} on gradients on one CUDA device (checked by the caller): the norm,
 * coefficient, scaling and clamping kernels on the JVM's shared backend for that device, with the
 * table and scalars in a DeviceArena that lives for the call, so nothing can go stale. Each call
 * waits for its kernels, so the gradients are in place for any stream that uses them next; the
 * norm calls read the total at that one synchronization.
 */
final class ClippingOnDevice {
    private ClippingOnDevice() {}

    /** What runs after the norm pass, in stream order: rows, the norm (a double) and a float slot in device memory. */
    private interface AfterNorm {
        void queue(CudaBackend backend, TensorTable rows, MemorySegment total, MemorySegment scalar);
    }

    static double totalNorm(Device device, List<Tensor> grads, double normType) {
        return normThen(device, grads, normType, (backend, rows, total, scalar) -> {});
    }

    /** The norm, the clip coefficient and the scaling all on the device; the host reads the norm at the end. */
    static double clipGradNorm(Device device, List<Tensor> grads, double maxNorm, double normType) {
        return normThen(device, grads, normType, (backend, rows, total, coefficient) -> {
            DeviceOps.clipCoefficient(backend, total, maxNorm, coefficient);
            DeviceOps.scale(backend, rows, coefficient);
        });
    }

    static void clipGradValue(Device device, List<Tensor> grads, float clipValue) {
        if (elements(grads) == 0) {
            return;
        }
        CudaBackend backend = CudaBackend.shared(device.index());
        try (DeviceArena scratch = new DeviceArena(device.index())) {
            DeviceOps.clamp(backend, TensorTable.of(scratch, grads), -clipValue, clipValue);
            backend.synchronize();
        }
    }

    private static double normThen(Device device, List<Tensor> grads, double normType, AfterNorm then) {
        if (elements(grads) == 0) {
            return 0.0;  // as on the CPU, and no device needed
        }
        CudaBackend backend = CudaBackend.shared(device.index());
        try (DeviceArena scratch = new DeviceArena(device.index())) {
            TensorTable rows = TensorTable.of(scratch, grads);
            MemorySegment partials = scratch.allocateBytes(8 * rows.totalChunks());
            MemorySegment scalars = scratch.allocateBytes(16);  // the norm (double), then a float
            MemorySegment total = scalars, scalar = MemorySegment.ofAddress(scalars.address() + 8);
            DeviceOps.norm(backend, rows, DeviceOps.normKind(normType), normType, MemorySegment.NULL, partials, total,
                    MemorySegment.NULL);
            then.queue(backend, rows, total, scalar);
            return Double.longBitsToDouble(backend.readLong(total, 0));  // waits for everything queued above
        }
    }

    private static long elements(List<Tensor> grads) {
        long n = 0;
        for (Tensor g : grads) {
            n += g.numel();
        }
        return n;
    }
}
