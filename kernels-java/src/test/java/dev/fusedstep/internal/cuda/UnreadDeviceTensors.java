package dev.fusedstep.internal.cuda;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CUDA tensors at addresses no one reads, for the tests that check a public API's arguments
 * before it touches CUDA: they run without a GPU, since a bad call must fail before any launch.
 * Each tensor gets its own address range, so only tensors made to overlap do.
 */
public final class UnreadDeviceTensors {
    private UnreadDeviceTensors() {}

    private static final AtomicLong NEXT = new AtomicLong(0x7f0000000000L);

    /** A tensor of {@code n} elements of {@code dtype} on {@code cuda:device}. */
    public static Tensor on(int device, DType dtype, long n) {
        MemorySegment s = MemorySegment.ofAddress(NEXT.getAndAdd(1L << 32)).reinterpret(n * dtype.byteSize());
        return Tensor.of(s, dtype, Device.cuda(device), n);
    }
}
