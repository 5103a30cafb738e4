package dev.fusedstep.internal.cuda;

import dev.fusedstep.bindings.KernelArgs;
import dev.fusedstep.internal.cpu.CastKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Launches of the tensor kernels (native/src/main/cuda/tensor): fill, cast, norms, clipping
 * (the last two over F32, F16 and BF16 rows, by each row's dtype).
 * Each queues work on the backend's stream and returns; scalars that later kernels need (the
 * norm, the clip coefficient, the found-inf flag) stay in device memory, so a clipped and
 * loss-scaled step needs no host synchronization and can be captured in a graph.
 */
public final class DeviceOps {
    private DeviceOps() {}

    /** Every element of every row's first pointer = {@code value} (optimizer states start this way). */
    public static void fill(CudaBackend backend, TensorTable rows, float value) {
        elementwise(backend, "fs_fill", rows, (args) -> args.f32(value));
    }

    /** Row r: ptr[0] (source) cast into ptr[1] (destination), with the CPU's bits. */
    public static void cast(CudaBackend backend, TensorTable rows, CastKernel kind) {
        elementwise(backend, "fs_cast", rows, (args) -> args.i32(kind.ordinal()));
    }

    /** x = x * (*coefficient) over every row's first pointer; nothing when the coefficient is exactly 1. */
    public static void scale(CudaBackend backend, TensorTable rows, MemorySegment coefficient) {
        elementwise(backend, "fs_scale", rows, (args) -> args.pointer(coefficient));
    }

    /** x = min(max(x, lo), hi) over every row's first pointer (clip_grad_value_). */
    public static void clamp(CudaBackend backend, TensorTable rows, float lo, float hi) {
        elementwise(backend, "fs_clamp", rows, (args) -> args.f32(lo).f32(hi));
    }

    /**
     * The {@code kind}-norm (DeviceLayouts.NORM_*; {@code p} for NORM_P) of all rows' first pointers
     * together (F32, F16 or BF16 rows, by the row's dtype), each element first multiplied by
     * {@code *scale} when {@code scale} is not NULL. Writes the norm (a double) to {@code total};
     * raises {@code *foundInf} to 1 when it is not finite (when foundInf is not NULL).
     * {@code partials} holds {@code rows.totalChunks()} doubles.
     */
    public static void norm(CudaBackend backend, TensorTable rows, int kind, double p, MemorySegment scale,
            MemorySegment partials, MemorySegment total, MemorySegment foundInf) {
        normPartials(backend, rows, kind, p, scale, partials);
        normFinish(backend, partials, rows.totalChunks(), kind, p, total, foundInf);
    }

    /** The first half of {@link #norm}: one double per chunk of {@code rows} into {@code partials[0, rows.totalChunks())}. */
    public static void normPartials(CudaBackend backend, TensorTable rows, int kind, double p, MemorySegment scale,
            MemorySegment partials) {
        if (rows.totalChunks() == 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a).pointer(rows.address()).i32(rows.rows()).i64(rows.totalChunks())
                    .i32(kind).f64(p).pointer(scale).pointer(partials);
            backend.launch("fs_norm_partials", backend.gridFor("fs_norm_partials", rows.totalChunks()),
                    DeviceLayouts.BLOCK_THREADS, args);
        }
    }

    /**
     * The second half of {@link #norm}: combines {@code count} partials (of one or more tables, in
     * a fixed order) into {@code *total}, raising {@code *foundInf} (when not NULL) for a non-finite norm.
     */
    public static void normFinish(CudaBackend backend, MemorySegment partials, long count, int kind, double p,
            MemorySegment total, MemorySegment foundInf) {
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a).pointer(partials).i64(count).i32(kind).f64(p).pointer(total).pointer(foundInf);
            backend.launch("fs_norm_finish", 1, DeviceLayouts.BLOCK_THREADS, args);
        }
    }

    /**
     * The norm kernels' kind for GradClipping's {@code normType} (validated by the caller: p > 0 or
     * infinity); {@code p} for NORM_P is normType itself.
     */
    public static int normKind(double normType) {
        return normType == Double.POSITIVE_INFINITY ? DeviceLayouts.NORM_INF
                : normType == 2 ? DeviceLayouts.NORM_L2 : normType == 1 ? DeviceLayouts.NORM_L1 : DeviceLayouts.NORM_P;
    }

    /** {@code *coefficient = min(1, maxNorm / (*total + 1e-6))} in float32, as GradClipping.clipCoefficient. */
    public static void clipCoefficient(CudaBackend backend, MemorySegment total, double maxNorm, MemorySegment coefficient) {
        try (Arena a = Arena.ofConfined()) {
            backend.launch("fs_clip_coefficient", 1, 1, new KernelArgs(a).pointer(total).f64(maxNorm).pointer(coefficient));
        }
    }

    /** {@code *out = *a * *b}, a NULL operand read as 1: a loss scaler's 1/scale times a clip coefficient. */
    public static void multiplyScalars(CudaBackend backend, MemorySegment a, MemorySegment b, MemorySegment out) {
        try (Arena arena = Arena.ofConfined()) {
            backend.launch("fs_multiply_scalars", 1, 1, new KernelArgs(arena).pointer(a).pointer(b).pointer(out));
        }
    }

    private interface Extra {
        void add(KernelArgs args);
    }

    private static void elementwise(CudaBackend backend, String kernel, TensorTable rows, Extra extra) {
        if (rows.totalChunks() == 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a).pointer(rows.address()).i32(rows.rows()).i64(rows.totalChunks());
            extra.add(args);
            backend.launch(kernel, backend.gridFor(kernel, rows.totalChunks()), DeviceLayouts.BLOCK_THREADS, args);
        }
    }
}
