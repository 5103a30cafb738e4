package dev.fusedstep.checkpoint;

import dev.fusedstep.Tensor;
import java.lang.foreign.MemorySegment;

/** {@link HostTransfer} for host tensors: a plain memory copy. */
final class HostCopy implements HostTransfer {
    static final HostCopy INSTANCE = new HostCopy();

    private HostCopy() {}

    @Override
    public void toHost(Tensor source, long offset, MemorySegment chunk) {
        MemorySegment.copy(source.segment(), offset, chunk, 0, chunk.byteSize());
    }

    @Override
    public void fromHost(MemorySegment chunk, Tensor target, long offset) {
        MemorySegment.copy(chunk, 0, target.segment(), offset, chunk.byteSize());
    }
}
