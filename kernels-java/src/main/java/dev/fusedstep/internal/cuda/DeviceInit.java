package dev.fusedstep.internal.cuda;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.KernelArgs;
import java.lang.foreign.Arena;

/**
 * Launches of the initializer kernels (native/src/main/cuda/tensor/init.cu) over one device
 * tensor: the CPU initializers' values, bit for bit, for the same seed, stream and element index,
 * stored as F32 or rounded to BF16/F16 as the CPU's casts round. The public entry is
 * {@code dev.fusedstep.init.Init}, which validates every argument first; these methods check only
 * what the launch itself needs (a device tensor of a supported dtype on the backend's device).
 *
 * <p>{@code first} is the stream index of the tensor's element 0 (0 for a whole tensor): element
 * {@code i} gets the value of stream element {@code first + i}. Each launch is queued on the
 * backend's stream; nothing waits here.
 */
public final class DeviceInit {
    private DeviceInit() {}

    // init.cu's dtype codes
    static final int F32 = 0;
    static final int BF16 = 1;
    static final int F16 = 2;

    /** Uniform on [a, b) (Samplers.uniform). */
    public static void uniform(CudaBackend backend, Tensor t, long first, long seed, long stream, float a, float b) {
        try (Arena arena = Arena.ofConfined()) {
            KernelArgs args = random(arena, backend, t, first, seed, stream).f32(a).f32(b);
            launch(backend, "fs_init_uniform", blocksOfGroups(t.numel(), first), t, args);
        }
    }

    /** Normal with {@code mean} and {@code std}, Box-Muller over word pairs (Samplers.normal). */
    public static void normal(CudaBackend backend, Tensor t, long first, long seed, long stream, float mean, float std) {
        try (Arena arena = Arena.ofConfined()) {
            KernelArgs args = random(arena, backend, t, first, seed, stream).f32(mean).f32(std);
            launch(backend, "fs_init_normal", blocksOfGroups(t.numel(), first), t, args);
        }
    }

    /** Normal with {@code mean} and {@code std} truncated to [a, b], in double (Samplers.truncNormal). */
    public static void truncNormal(CudaBackend backend, Tensor t, long first, long seed, long stream, double mean,
            double std, double a, double b) {
        try (Arena arena = Arena.ofConfined()) {
            KernelArgs args = random(arena, backend, t, first, seed, stream).f64(mean).f64(std).f64(a).f64(b);
            launch(backend, "fs_init_trunc_normal", blocksOfGroups(t.numel(), first), t, args);
        }
    }

    /** Every element {@code value}, rounded to the dtype. */
    public static void constant(CudaBackend backend, Tensor t, float value) {
        requireTarget(backend, t);
        try (Arena arena = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(arena).pointer(t.segment()).i64(t.numel()).i32(dtypeCode(t.dtype())).f32(value);
            launch(backend, "fs_init_constant", blocks(t.numel()), t, args);
        }
    }

    /** The kernels' code for {@code dtype}. */
    static int dtypeCode(DType dtype) {
        return switch (dtype) {
            case F32 -> F32;
            case BF16 -> BF16;
            case F16 -> F16;
            default -> throw new IllegalArgumentException("tensor: got dtype " + dtype + ", expected F32, BF16 or F16");
        };
    }

    /** The arguments every random kernel starts with: out, n, first, dtype, seed, stream. */
    private static KernelArgs random(Arena arena, CudaBackend backend, Tensor t, long first, long seed, long stream) {
        requireTarget(backend, t);
        if (first < 0 || first > Long.MAX_VALUE - 4 - t.numel()) {
            throw new IllegalArgumentException("first: got " + first + ", expected >= 0 with first + numel within a long");
        }
        return new KernelArgs(arena).pointer(t.segment()).i64(t.numel()).i64(first).i32(dtypeCode(t.dtype()))
                .i64(seed).i64(stream);
    }

    private static void requireTarget(CudaBackend backend, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException("tensor: got null, expected a device tensor");
        }
        if (!t.device().equals(backend.device())) {
            throw new IllegalArgumentException("tensor: got a tensor on " + t.device() + ", expected " + backend.device()
                    + " (the backend's device)");
        }
        dtypeCode(t.dtype());
    }

    /** Blocks for one thread per Philox block (4 stream elements) that the elements [first, first + n) touch. */
    static long blocksOfGroups(long n, long first) {
        long groups = n == 0 ? 0 : ((first + n + 3) >>> 2) - (first >>> 2);
        return blocks(groups);
    }

    private static long blocks(long threads) {
        return (threads + DeviceLayouts.BLOCK_THREADS - 1) / DeviceLayouts.BLOCK_THREADS;
    }

    private static void launch(CudaBackend backend, String kernel, long blocks, Tensor t, KernelArgs args) {
        if (t.numel() == 0) {
            return;
        }
        backend.launch(kernel, backend.gridFor(kernel, blocks), DeviceLayouts.BLOCK_THREADS, args);
    }
}
