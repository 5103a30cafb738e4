package dev.fusedstep.cast;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.CudaRuntime;
import dev.fusedstep.internal.cpu.CastKernel;
import dev.fusedstep.internal.cuda.CudaBackend;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.internal.cuda.DeviceOps;
import dev.fusedstep.internal.cuda.TensorTable;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@link Casts} between two tensors on one CUDA device (checked by the caller): the cast kernel on
 * the JVM's shared backend for that device, its table (and BF16 <-> F16's float32 stage) in a
 * DeviceArena that lives for the call. The call waits for the kernel, so the result is in place
 * for any stream that reads it next.
 */
final class CastsOnDevice {
    private CastsOnDevice() {}

    /** Rejects F64 on either side (no kernel casts it), naming the side. */
    static void requireCastable(DType from, DType to) {
        if (from == DType.F64 || to == DType.F64) {
            throw new IllegalArgumentException((from == DType.F64 ? "src" : "dst") + ": got dtype F64, expected F32, BF16 or F16");
        }
    }

    static void convert(Device device, Tensor src, Tensor dst) {
        long n = src.numel();
        if (n == 0) {
            return;
        }
        CudaBackend backend = CudaBackend.shared(device.index());
        if (src.dtype() == dst.dtype()) {
            backend.copyAndWait(dst.segment(), src.segment(), n * src.dtype().byteSize(),
                    CudaRuntime.cudaMemcpyDeviceToDevice);
            return;
        }
        try (DeviceArena scratch = new DeviceArena(device.index())) {
            CastKernel direct = CastKernel.between(src.dtype(), dst.dtype());
            if (direct != null) {
                queue(backend, scratch, src.segment(), dst.segment(), n, direct);
            } else {
                // BF16 <-> F16 goes through float32, exactly as PyTorch (and the CPU path) does.
                MemorySegment wide = scratch.allocateBytes(4 * n);
                queue(backend, scratch, src.segment(), wide, n, CastKernel.between(src.dtype(), DType.F32));
                queue(backend, scratch, wide, dst.segment(), n, CastKernel.between(DType.F32, dst.dtype()));
            }
            backend.synchronize();
        }
    }

    private static void queue(CudaBackend backend, DeviceArena scratch, MemorySegment from, MemorySegment to, long n,
            CastKernel kind) {
        TensorTable rows = TensorTable.build(scratch, List.<MemorySegment[]>of(new MemorySegment[] {from, to}), new long[] {n});
        DeviceOps.cast(backend, rows, kind);
    }
}
