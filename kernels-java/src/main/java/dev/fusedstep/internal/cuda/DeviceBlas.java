package dev.fusedstep.internal.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.fusedstep.DType;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.bindings.Cublas;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * cuBLAS on a backend's stream, for the matrix products fusedstep needs (the demo's MLP on the
 * GPU, Muon later): a handle bound to the stream and given a workspace from a device arena, so
 * that a graph capture allocates nothing. Matrices are column-major, as cuBLAS takes them; a
 * row-major {@code C = A B} is the column-major {@code C^T = B^T A^T}, i.e. swap A and B.
 */
public final class DeviceBlas implements AutoCloseable {

    /** Workspace cuBLAS may use per call; NVIDIA recommends 32 MiB on Hopper. */
    public static final long WORKSPACE_BYTES = 32L << 20;

    private static final Map<Integer, DeviceBlas> SHARED = new HashMap<>();

    /**
     * The JVM's pedantic float32 handle on device {@code ordinal}, on {@link CudaBackend#shared}'s
     * stream (so its products are ordered with the optimizer steps and kernels queued there),
     * created on first use: for callers that hold no handle of their own ({@code linalg.Gemm} on
     * device tensors). It is never closed: the driver reclaims it, its workspace and its arena
     * when the JVM exits, and a shutdown hook racing the backend's own would destroy the handle
     * after its stream.
     *
     * @throws IllegalStateException where CUDA or cuBLAS cannot run here, with the reason
     */
    public static DeviceBlas shared(int ordinal) {
        synchronized (SHARED) {
            DeviceBlas blas = SHARED.get(ordinal);
            if (blas == null) {
                CudaBackend backend = CudaBackend.shared(ordinal);
                if (!Cublas.library().isLoaded()) {
                    throw new IllegalStateException("cuBLAS unavailable: " + Cublas.library().missingReason().orElse("not loaded"));
                }
                DeviceArena workspace = new DeviceArena(ordinal);
                try {
                    blas = new DeviceBlas(backend, workspace, true);
                } catch (RuntimeException e) {
                    workspace.close();
                    throw e;
                }
                SHARED.put(ordinal, blas);
            }
            return blas;
        }
    }

    private final CudaBackend backend;
    private final MemorySegment handle;
    private boolean closed;

    /**
     * A handle on {@code backend}'s device and stream. {@code pedantic} keeps float32 products in
     * float32 arithmetic (no TF32), for comparing with a CPU reference.
     */
    public DeviceBlas(CudaBackend backend, DeviceArena arena, boolean pedantic) {
        this.backend = backend;
        backend.makeCurrent();
        this.handle = Cublas.create();
        try {
            Cublas.check(Cublas.cublasSetStream_v2(handle, backend.stream()), "cublasSetStream_v2");
            MemorySegment workspace = arena.allocateBytes(WORKSPACE_BYTES);
            Cublas.check(Cublas.cublasSetWorkspace_v2(handle, workspace, WORKSPACE_BYTES), "cublasSetWorkspace_v2");
            Cublas.check(Cublas.cublasSetPointerMode_v2(handle, Cublas.CUBLAS_POINTER_MODE_HOST), "cublasSetPointerMode_v2");
            Cublas.check(Cublas.cublasSetMathMode(handle, pedantic ? Cublas.CUBLAS_PEDANTIC_MATH : Cublas.CUBLAS_DEFAULT_MATH),
                    "cublasSetMathMode");
        } catch (RuntimeException e) {
            Cublas.cublasDestroy_v2(handle);
            throw e;
        }
    }

    /** Column-major {@code C = alpha op(A) op(B) + beta C} in float32 ({@code cublasSgemm}). */
    public synchronized void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
            MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        requireOpen();
        try (Arena arena = Arena.ofConfined()) {
            backend.makeCurrent();
            Cublas.check(Cublas.cublasSgemm_v2(handle, op(transA), op(transB), m, n, k, arena.allocateFrom(JAVA_FLOAT, alpha),
                    a, lda, b, ldb, arena.allocateFrom(JAVA_FLOAT, beta), c, ldc), "cublasSgemm_v2");
        }
    }

    /**
     * Column-major {@code C = alpha op(A) op(B) + beta C} with A and B in {@code inputs} (BF16,
     * F16 or F32), C in {@code output}, accumulated in float32 ({@code cublasGemmEx}, CUBLAS_COMPUTE_32F).
     */
    public synchronized void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
            MemorySegment b, int ldb, DType inputs, float beta, MemorySegment c, int ldc, DType output) {
        requireOpen();
        try (Arena arena = Arena.ofConfined()) {
            backend.makeCurrent();
            Cublas.check(Cublas.cublasGemmEx(handle, op(transA), op(transB), m, n, k, arena.allocateFrom(JAVA_FLOAT, alpha),
                    a, dataType(inputs), lda, b, dataType(inputs), ldb, arena.allocateFrom(JAVA_FLOAT, beta),
                    c, dataType(output), ldc, Cublas.CUBLAS_COMPUTE_32F, Cublas.CUBLAS_GEMM_DEFAULT), "cublasGemmEx");
        }
    }

    /** cuBLAS's version, e.g. 130000. */
    public int version() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(java.lang.foreign.ValueLayout.JAVA_INT);
            Cublas.check(Cublas.cublasGetVersion_v2(handle, v), "cublasGetVersion_v2");
            return v.get(java.lang.foreign.ValueLayout.JAVA_INT, 0);
        }
    }

    static int dataType(DType t) {
        return switch (t) {
            case F32 -> Cublas.CUDA_R_32F;
            case F16 -> Cublas.CUDA_R_16F;
            case BF16 -> Cublas.CUDA_R_16BF;
            case F64 -> throw new IllegalArgumentException("dtype: got F64, expected F32, F16 or BF16");
        };
    }

    private static int op(boolean transpose) {
        return transpose ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("DeviceBlas is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            backend.makeCurrent();
            Cublas.check(Cublas.cublasDestroy_v2(handle), "cublasDestroy_v2");
        }
    }
}
