package dev.fusedstep.checkpoint;

import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Moves a tensor's bytes between its memory and host memory one bounded chunk at a time, so a
 * checkpoint streams state that lives elsewhere (a GPU) through a small host buffer, never a
 * host copy of the whole state: a plain copy for host tensors, {@code cudaMemcpy} per chunk for
 * CUDA tensors ({@link DeviceCopy}).
 */
interface HostTransfer {

    /** Copies bytes {@code [offset, offset + chunk.byteSize())} of {@code source} into {@code chunk}. */
    void toHost(Tensor source, long offset, MemorySegment chunk);

    /** Copies {@code chunk} into {@code target} at byte {@code offset}. */
    void fromHost(MemorySegment chunk, Tensor target, long offset);

    /** The transfer for tensors on {@code device}. */
    static HostTransfer forDevice(Device device) {
        return device.kind() == Device.Kind.CPU ? HostCopy.INSTANCE : new DeviceCopy(device.index());
    }
}
