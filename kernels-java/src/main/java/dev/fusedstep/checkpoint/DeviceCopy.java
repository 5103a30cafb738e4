package dev.fusedstep.checkpoint;

import dev.fusedstep.DeviceArena;
import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.Cuda;
import dev.fusedstep.bindings.CudaRuntime;
import dev.fusedstep.internal.cuda.CudaBackend;
import java.lang.foreign.MemorySegment;

/**
 * {@link HostTransfer} for tensors on a CUDA device: one {@code cudaMemcpy} per chunk. Before the
 * first copy of a save it waits for the device's shared stream, where an optimizer's steps are
 * queued, so the bytes read are those after the last queued step; a load's copies are synchronous,
 * so the next step (queued later on that stream) sees them.
 */
final class DeviceCopy implements HostTransfer {
    private final int ordinal;

    DeviceCopy(int ordinal) {
        this.ordinal = ordinal;
    }

    @Override
    public void toHost(Tensor source, long offset, MemorySegment chunk) {
        if (offset == 0) {
            CudaBackend.shared(ordinal).synchronize();
        }
        Cuda.setDevice(ordinal);
        DeviceArena.copyBytes(chunk, MemorySegment.ofAddress(source.segment().address() + offset), chunk.byteSize(),
                CudaRuntime.cudaMemcpyDeviceToHost);
    }

    @Override
    public void fromHost(MemorySegment chunk, Tensor target, long offset) {
        if (offset == 0) {
            CudaBackend.shared(ordinal).synchronize();  // no queued step may still write the target
        }
        Cuda.setDevice(ordinal);
        DeviceArena.copyBytes(MemorySegment.ofAddress(target.segment().address() + offset), chunk, chunk.byteSize(),
                CudaRuntime.cudaMemcpyHostToDevice);
    }
}
