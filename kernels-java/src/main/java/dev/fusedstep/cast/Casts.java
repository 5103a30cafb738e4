package dev.fusedstep.cast;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cpu.CastKernel;
import dev.fusedstep.internal.cpu.CpuBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Casts between F32, BF16 and F16, round-to-nearest-even, bit-identical to PyTorch's
 * {@code tensor.to(dtype)} (any NaN stays a NaN). One pass, vectorized where the Vector API is
 * available, split into fixed chunks over the shared worker threads.
 */
public final class Casts {
    private Casts() {}

    /** Writes {@code src} cast to {@code dst}'s dtype into {@code dst}; the element counts must match. */
    public static void convert(Tensor src, Tensor dst) {
        convert(CpuBackend.shared(), src, dst);
    }

    /** A new tensor of {@code dtype} in {@code arena} holding {@code src} cast. */
    public static Tensor to(Tensor src, DType dtype, Arena arena) {
        requireHost("src", src);
        Tensor out = Tensor.allocate(arena, dtype, src.shape());
        convert(src, out);
        return out;
    }

    static void convert(CpuBackend backend, Tensor src, Tensor dst) {
        requireHost("src", src);
        requireHost("dst", dst);
        if (dst.segment().isReadOnly()) {
            throw new IllegalArgumentException("dst: got a read-only segment, expected a writable one");
        }
        if (src.numel() != dst.numel()) {
            throw new IllegalArgumentException("dst: got " + dst.numel() + " elements, expected " + src.numel()
                    + " (the length of src)");
        }
        if (src.segment().asOverlappingSlice(dst.segment()).isPresent()) {
            throw new IllegalArgumentException("dst: overlaps src in memory, expected separate buffers");
        }
        if (src.dtype() == DType.F64 || dst.dtype() == DType.F64) {
            throw new IllegalArgumentException((src.dtype() == DType.F64 ? "src" : "dst") + ": got dtype F64, expected F32, BF16 or F16");
        }
        if (src.dtype() == dst.dtype()) {
            MemorySegment.copy(src.segment(), 0, dst.segment(), 0, src.segment().byteSize());
            return;
        }
        CastKernel kernel = CastKernel.between(src.dtype(), dst.dtype());
        if (kernel == null) {
            // BF16 <-> F16 goes through float32, exactly as PyTorch does.
            try (Arena scratch = Arena.ofConfined()) {
                Tensor wide = Tensor.allocate(scratch, DType.F32, src.shape());
                convert(backend, src, wide);
                convert(backend, wide, dst);
            }
            return;
        }
        long n = src.numel();
        MemorySegment s = src.segment(), d = dst.segment();
        boolean vectorized = backend.vectorized();
        int chunks = (int) ((n + CpuBackend.CHUNK - 1) / CpuBackend.CHUNK);
        boolean parallel = backend.pool().shareable(s) && backend.pool().shareable(d);
        backend.pool().run(chunks, c -> {
            long from = (long) c * CpuBackend.CHUNK;
            long to = Math.min(from + CpuBackend.CHUNK, n);
            if (vectorized) {
                kernel.vector(s, d, from, to);
            } else {
                kernel.scalar(s, d, from, to);
            }
        }, parallel);
    }

    private static void requireHost(String name, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(name + ": got null, expected a tensor");
        }
        if (!t.device().equals(Device.CPU)) {
            throw new IllegalArgumentException(name + ": got a tensor on " + t.device() + ", expected cpu");
        }
        if (!t.segment().scope().isAlive()) {
            throw new IllegalStateException(name + ": its memory segment is closed, expected an open segment");
        }
        if (!t.segment().isAccessibleBy(Thread.currentThread())) {
            throw new IllegalStateException(name + ": its memory segment is confined to another thread,"
                    + " expected one this thread can access");
        }
    }
}
