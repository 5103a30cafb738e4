package dev.fusedstep.cast;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.TensorChecks;
import dev.fusedstep.internal.cpu.CastKernel;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.DeviceArena;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Casts between F32, BF16 and F16, round-to-nearest-even, bit-identical to PyTorch's
 * {@code tensor.to(dtype)} (any NaN stays a NaN). One pass, vectorized where the Vector API is
 * available, split into fixed chunks over the shared worker threads.
 *
 * <p>Tensors may be on the CPU or on one CUDA device (source and destination on the same one; a
 * cast does not move data between devices, {@code DeviceArena.copy} does). On CUDA the cast kernel
 * gives the same bits, NaN payloads included (it works on the bits, as the CPU does), and the
 * call returns when the result is in device memory.
 */
public final class Casts {
    private Casts() {}

    /** Writes {@code src} cast to {@code dst}'s dtype into {@code dst}; the element counts must match. */
    public static void convert(Tensor src, Tensor dst) {
        convert(CpuBackend.shared(), src, dst);
    }

    /** A new host tensor of {@code dtype} in {@code arena} holding {@code src} (a host tensor) cast. */
    public static Tensor to(Tensor src, DType dtype, Arena arena) {
        requireHost("src", src);
        Tensor out = Tensor.allocate(arena, dtype, src.shape());
        convert(src, out);
        return out;
    }

    /** A new tensor of {@code dtype} in {@code arena} (device memory) holding {@code src} cast; src on the arena's device. */
    public static Tensor to(Tensor src, DType dtype, DeviceArena arena) {
        if (arena == null) {
            throw new IllegalArgumentException("arena: got null, expected a DeviceArena");
        }
        if (src == null || !src.device().equals(arena.device())) {
            throw new IllegalArgumentException("src: got " + (src == null ? "null" : "a tensor on " + src.device())
                    + ", expected a tensor on " + arena.device() + " (the arena's device)");
        }
        CastsOnDevice.requireCastable(src.dtype(), dtype);
        Tensor out = arena.allocate(dtype, src.shape());
        convert(src, out);
        return out;
    }

    static void convert(CpuBackend backend, Tensor src, Tensor dst) {
        Device device = TensorChecks.requireOneDevice(new String[] {"src", "dst"}, src, dst);
        TensorChecks.requireAlive("src", src.segment());
        TensorChecks.requireAlive("dst", dst.segment());
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
        CastsOnDevice.requireCastable(src.dtype(), dst.dtype());
        if (device.kind() == Device.Kind.CUDA) {
            CastsOnDevice.convert(device, src, dst);
            return;
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
            throw new IllegalArgumentException(name + ": got a tensor on " + t.device()
                    + ", expected cpu for a host Arena (pass a DeviceArena to cast on " + t.device() + ")");
        }
    }
}
