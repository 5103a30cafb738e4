package dev.fusedstep.checkpoint;

import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Moves a tensor's bytes between its memory and host memory one bounded chunk at a time, so a
 * checkpoint streams state that lives elsewhere (a GPU) through a small host buffer, never a
 * host copy of the whole state. Only host tensors have an implementation today; a CUDA one
 * would call {@code cudaMemcpy} (device to pinned host chunk and back) and arrives when the
 * optimizer dispatches to CUDA.
 */
interface HostTransfer {

    /** Copies bytes {@code [offset, offset + chunk.byteSize())} of {@code source} into {@code chunk}. */
    void toHost(Tensor source, long offset, MemorySegment chunk);

    /** Copies {@code chunk} into {@code target} at byte {@code offset}. */
    void fromHost(MemorySegment chunk, Tensor target, long offset);

    /** The transfer for tensors on {@code device}. */
    static HostTransfer forDevice(Device device) {
        if (device.kind() == Device.Kind.CPU) {
            return HostCopy.INSTANCE;
        }
        throw new UnsupportedOperationException("checkpoint: state on " + device
                + " is not supported yet, expected host tensors (the optimizer does not run on CUDA yet)");
    }
}
