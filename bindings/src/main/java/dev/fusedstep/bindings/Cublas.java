package dev.fusedstep.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

/**
 * Bindings to cuBLAS ({@code libcublas}), in the shape jextract generates: one static method per
 * C function (the {@code _v2} entry points that {@code cublas_v2.h} maps the plain names to),
 * downcall handles created on first use, enum values as constants. Every function returns
 * {@code cublasStatus_t} as an {@code int}; {@link #check} turns a failure into a
 * {@link CudaException} carrying the status name.
 *
 * <p>Found like libcudart ({@link CudaRuntime}): {@code -Dfusedstep.cublas.path} alone if set,
 * else {@code $CUDA_HOME/lib64}, {@code /usr/local/cuda/lib64}, {@code /usr/local/cuda-*}, else the
 * system loader's path. Where it is missing, {@link #library()} says why and each call throws an
 * {@link IllegalStateException} with that reason.
 */
public final class Cublas {
    private Cublas() {}

    /** System property naming the libcublas file to load, overriding the search. */
    public static final String PATH_PROPERTY = "fusedstep.cublas.path";

    static final List<String> SONAMES = List.of("libcublas.so.13", "libcublas.so.12", System.mapLibraryName("cublas"));

    // --- cublasStatus_t

    public static final int CUBLAS_STATUS_SUCCESS = 0;
    public static final int CUBLAS_STATUS_NOT_INITIALIZED = 1;
    public static final int CUBLAS_STATUS_ALLOC_FAILED = 3;
    public static final int CUBLAS_STATUS_INVALID_VALUE = 7;
    public static final int CUBLAS_STATUS_ARCH_MISMATCH = 8;
    public static final int CUBLAS_STATUS_MAPPING_ERROR = 11;
    public static final int CUBLAS_STATUS_EXECUTION_FAILED = 13;
    public static final int CUBLAS_STATUS_INTERNAL_ERROR = 14;
    public static final int CUBLAS_STATUS_NOT_SUPPORTED = 15;
    public static final int CUBLAS_STATUS_LICENSE_ERROR = 16;

    /** Names for the statuses above, for libraries too old to have cublasGetStatusName. */
    static final Map<Integer, String> STATUS_NAMES = Map.of(
            0, "CUBLAS_STATUS_SUCCESS", 1, "CUBLAS_STATUS_NOT_INITIALIZED", 3, "CUBLAS_STATUS_ALLOC_FAILED",
            7, "CUBLAS_STATUS_INVALID_VALUE", 8, "CUBLAS_STATUS_ARCH_MISMATCH", 11, "CUBLAS_STATUS_MAPPING_ERROR",
            13, "CUBLAS_STATUS_EXECUTION_FAILED", 14, "CUBLAS_STATUS_INTERNAL_ERROR", 15, "CUBLAS_STATUS_NOT_SUPPORTED",
            16, "CUBLAS_STATUS_LICENSE_ERROR");

    // --- cublasOperation_t, cublasPointerMode_t, cublasMath_t, cublasGemmAlgo_t

    public static final int CUBLAS_OP_N = 0;
    public static final int CUBLAS_OP_T = 1;
    public static final int CUBLAS_OP_C = 2;
    public static final int CUBLAS_POINTER_MODE_HOST = 0;
    public static final int CUBLAS_POINTER_MODE_DEVICE = 1;
    public static final int CUBLAS_DEFAULT_MATH = 0;
    /** Float32 products in float32 arithmetic, never TF32 (what a CPU reference can be compared with). */
    public static final int CUBLAS_PEDANTIC_MATH = 2;
    public static final int CUBLAS_TF32_TENSOR_OP_MATH = 3;
    public static final int CUBLAS_GEMM_DEFAULT = -1;

    // --- cudaDataType (library_types.h) and cublasComputeType_t

    public static final int CUDA_R_32F = 0;
    public static final int CUDA_R_64F = 1;
    public static final int CUDA_R_16F = 2;
    public static final int CUDA_R_16BF = 14;
    public static final int CUBLAS_COMPUTE_16F = 64;
    public static final int CUBLAS_COMPUTE_32F = 68;
    public static final int CUBLAS_COMPUTE_32F_PEDANTIC = 69;
    public static final int CUBLAS_COMPUTE_64F = 70;
    public static final int CUBLAS_COMPUTE_32F_FAST_16F = 74;
    public static final int CUBLAS_COMPUTE_32F_FAST_16BF = 75;
    public static final int CUBLAS_COMPUTE_32F_FAST_TF32 = 77;

    // --- libraryPropertyType

    public static final int MAJOR_VERSION = 0;
    public static final int MINOR_VERSION = 1;
    public static final int PATCH_LEVEL = 2;

    // --- the library

    private static final class Library {
        static final NativeLibrary INSTANCE = locate(System.getProperty(PATH_PROPERTY), System.getenv("CUDA_HOME"));
    }

    /** The libcublas this JVM uses (loaded or not). */
    public static NativeLibrary library() {
        return Library.INSTANCE;
    }

    static NativeLibrary locate(String override, String cudaHome) {
        return CudaLibraries.locate("libcublas", SONAMES, PATH_PROPERTY, override, cudaHome);
    }

    /** The enum name of {@code status}, from the library if it can say, else from {@link #STATUS_NAMES}. */
    public static String statusName(int status) {
        if (cublasGetStatusName.HANDLE != null) {
            return CudaRuntime.cudaStringOf(cublasGetStatusName(status));
        }
        return STATUS_NAMES.getOrDefault(status, "CUBLAS_STATUS_" + status);
    }

    /** Throws unless {@code status} is {@link #CUBLAS_STATUS_SUCCESS}. */
    public static void check(int status, String call) {
        if (status != CUBLAS_STATUS_SUCCESS) {
            String description = cublasGetStatusString.HANDLE != null
                    ? CudaRuntime.cudaStringOf(cublasGetStatusString(status)) : null;
            throw new CudaException(call, status, statusName(status), description);
        }
    }

    /** "13.0.2" from cublasGetProperty: needs the library, not a GPU. */
    public static String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            int[] parts = new int[3];
            for (int type = MAJOR_VERSION; type <= PATCH_LEVEL; type++) {
                check(cublasGetProperty(type, v), "cublasGetProperty");
                parts[type] = v.get(JAVA_INT, 0);
            }
            return parts[0] + "." + parts[1] + "." + parts[2];
        }
    }

    /** A new handle on the current device. */
    public static MemorySegment create() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ADDRESS);
            check(cublasCreate_v2(h), "cublasCreate_v2");
            return h.get(ADDRESS, 0);
        }
    }

    private static MethodHandle bind(String symbol, FunctionDescriptor descriptor) {
        return library().downcall(symbol, descriptor).orElse(null);
    }

    private static MethodHandle handle(MethodHandle handle, String symbol) {
        if (handle == null) {
            throw library().unavailable(symbol);
        }
        return handle;
    }

    private static RuntimeException rethrow(Throwable t) {
        return CudaRuntime.rethrow(t);
    }

    // ---------------------------------------------------------------------------------------------
    // Functions: handle and version, configuration, level 3 (GEMM), level 1 (nrm2, dot, axpy).

    // --- cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)
    static final FunctionDescriptor cublasCreate_v2$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cublasCreate_v2 {
        static final MethodHandle HANDLE = bind("cublasCreate_v2", cublasCreate_v2$DESC);
    }

    /** {@code cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)}: Needs a CUDA device; creates the handle on the current one. */
    public static int cublasCreate_v2(MemorySegment handle) {
        try {
            return (int) handle(cublasCreate_v2.HANDLE, "cublasCreate_v2").invokeExact(handle);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)
    static final FunctionDescriptor cublasDestroy_v2$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cublasDestroy_v2 {
        static final MethodHandle HANDLE = bind("cublasDestroy_v2", cublasDestroy_v2$DESC);
    }

    /** {@code cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)}. */
    public static int cublasDestroy_v2(MemorySegment handle) {
        try {
            return (int) handle(cublasDestroy_v2.HANDLE, "cublasDestroy_v2").invokeExact(handle);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int *version)
    static final FunctionDescriptor cublasGetVersion_v2$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);

    private static final class cublasGetVersion_v2 {
        static final MethodHandle HANDLE = bind("cublasGetVersion_v2", cublasGetVersion_v2$DESC);
    }

    /** {@code cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int *version)}: e.g. 130000 for 13.0.0. */
    public static int cublasGetVersion_v2(MemorySegment handle, MemorySegment version) {
        try {
            return (int) handle(cublasGetVersion_v2.HANDLE, "cublasGetVersion_v2").invokeExact(handle, version);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cublasStatus_t cublasGetProperty(libraryPropertyType type, int *value)
    static final FunctionDescriptor cublasGetProperty$DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS);

    private static final class cublasGetProperty {
        static final MethodHandle HANDLE = bind("cublasGetProperty", cublasGetProperty$DESC);
    }

    /** {@code cublasStatus_t cublasGetProperty(libraryPropertyType type, int *value)}: No handle (and no GPU) needed: {@code type} is {@link #MAJOR_VERSION}, {@link #MINOR_VERSION} or {@link #PATCH_LEVEL}. */
    public static int cublasGetProperty(int type, MemorySegment value) {
        try {
            return (int) handle(cublasGetProperty.HANDLE, "cublasGetProperty").invokeExact(type, value);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- const char *cublasGetStatusName(cublasStatus_t status)
    static final FunctionDescriptor cublasGetStatusName$DESC = FunctionDescriptor.of(ADDRESS, JAVA_INT);

    private static final class cublasGetStatusName {
        static final MethodHandle HANDLE = bind("cublasGetStatusName", cublasGetStatusName$DESC);
    }

    /** {@code const char *cublasGetStatusName(cublasStatus_t status)}. */
    public static MemorySegment cublasGetStatusName(int status) {
        try {
            return (MemorySegment) handle(cublasGetStatusName.HANDLE, "cublasGetStatusName").invokeExact(status);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- const char *cublasGetStatusString(cublasStatus_t status)
    static final FunctionDescriptor cublasGetStatusString$DESC = FunctionDescriptor.of(ADDRESS, JAVA_INT);

    private static final class cublasGetStatusString {
        static final MethodHandle HANDLE = bind("cublasGetStatusString", cublasGetStatusString$DESC);
    }

    /** {@code const char *cublasGetStatusString(cublasStatus_t status)}. */
    public static MemorySegment cublasGetStatusString(int status) {
        try {
            return (MemorySegment) handle(cublasGetStatusString.HANDLE, "cublasGetStatusString").invokeExact(status);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)
    static final FunctionDescriptor cublasSetStream_v2$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);

    private static final class cublasSetStream_v2 {
        static final MethodHandle HANDLE = bind("cublasSetStream_v2", cublasSetStream_v2$DESC);
    }

    /** {@code cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)}. */
    public static int cublasSetStream_v2(MemorySegment handle, MemorySegment streamId) {
        try {
            return (int) handle(cublasSetStream_v2.HANDLE, "cublasSetStream_v2").invokeExact(handle, streamId);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void *workspace, size_t workspaceSizeInBytes)
    static final FunctionDescriptor cublasSetWorkspace_v2$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);

    private static final class cublasSetWorkspace_v2 {
        static final MethodHandle HANDLE = bind("cublasSetWorkspace_v2", cublasSetWorkspace_v2$DESC);
    }

    /** {@code cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void *workspace, size_t workspaceSizeInBytes)}: A caller-owned workspace, so that graph capture allocates nothing. */
    public static int cublasSetWorkspace_v2(MemorySegment handle, MemorySegment workspace, long workspaceSizeInBytes) {
        try {
            return (int) handle(cublasSetWorkspace_v2.HANDLE, "cublasSetWorkspace_v2").invokeExact(handle, workspace, workspaceSizeInBytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cublasStatus_t cublasSetPointerMode_v2(cublasHandle_t handle, cublasPointerMode_t mode)
    static final FunctionDescriptor cublasSetPointerMode_v2$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);

    private static final class cublasSetPointerMode_v2 {
        static final MethodHandle HANDLE = bind("cublasSetPointerMode_v2", cublasSetPointerMode_v2$DESC);
    }

    /** {@code cublasStatus_t cublasSetPointerMode_v2(cublasHandle_t handle, cublasPointerMode_t mode)}: Whether alpha, beta and results live in host or device memory. */
    public static int cublasSetPointerMode_v2(MemorySegment handle, int mode) {
        try {
            return (int) handle(cublasSetPointerMode_v2.HANDLE, "cublasSetPointerMode_v2").invokeExact(handle, mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)
    static final FunctionDescriptor cublasSetMathMode$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);

    private static final class cublasSetMathMode {
        static final MethodHandle HANDLE = bind("cublasSetMathMode", cublasSetMathMode$DESC);
    }

    /** {@code cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)}. */
    public static int cublasSetMathMode(MemorySegment handle, int mode) {
        try {
            return (int) handle(cublasSetMathMode.HANDLE, "cublasSetMathMode").invokeExact(handle, mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta, float *C, int ldc)
    static final FunctionDescriptor cublasSgemm_v2$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);

    private static final class cublasSgemm_v2 {
        static final MethodHandle HANDLE = bind("cublasSgemm_v2", cublasSgemm_v2$DESC);
    }

    /** {@code cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta, float *C, int ldc)}: Column-major C = alpha op(A) op(B) + beta C. */
    public static int cublasSgemm_v2(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, MemorySegment A, int lda, MemorySegment B, int ldb, MemorySegment beta, MemorySegment C, int ldc) {
        try {
            return (int) handle(cublasSgemm_v2.HANDLE, "cublasSgemm_v2").invokeExact(handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda, const void *B, cudaDataType Btype, int ldb, const void *beta, void *C, cudaDataType Ctype, int ldc, cublasComputeType_t computeType, cublasGemmAlgo_t algo)
    static final FunctionDescriptor cublasGemmEx$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);

    private static final class cublasGemmEx {
        static final MethodHandle HANDLE = bind("cublasGemmEx", cublasGemmEx$DESC);
    }

    /** {@code cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda, const void *B, cudaDataType Btype, int ldb, const void *beta, void *C, cudaDataType Ctype, int ldc, cublasComputeType_t computeType, cublasGemmAlgo_t algo)}: With {@link #CUDA_R_16BF} or {@link #CUDA_R_16F} inputs and {@link #CUBLAS_COMPUTE_32F}, alpha and beta are floats. */
    public static int cublasGemmEx(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, MemorySegment A, int Atype, int lda, MemorySegment B, int Btype, int ldb, MemorySegment beta, MemorySegment C, int Ctype, int ldc, int computeType, int algo) {
        try {
            return (int) handle(cublasGemmEx.HANDLE, "cublasGemmEx").invokeExact(handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc, computeType, algo);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cublasStatus_t cublasSnrm2_v2(cublasHandle_t handle, int n, const float *x, int incx, float *result)
    static final FunctionDescriptor cublasSnrm2_v2$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);

    private static final class cublasSnrm2_v2 {
        static final MethodHandle HANDLE = bind("cublasSnrm2_v2", cublasSnrm2_v2$DESC);
    }

    /** {@code cublasStatus_t cublasSnrm2_v2(cublasHandle_t handle, int n, const float *x, int incx, float *result)}. */
    public static int cublasSnrm2_v2(MemorySegment handle, int n, MemorySegment x, int incx, MemorySegment result) {
        try {
            return (int) handle(cublasSnrm2_v2.HANDLE, "cublasSnrm2_v2").invokeExact(handle, n, x, incx, result);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cublasStatus_t cublasSdot_v2(cublasHandle_t handle, int n, const float *x, int incx, const float *y, int incy, float *result)
    static final FunctionDescriptor cublasSdot_v2$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);

    private static final class cublasSdot_v2 {
        static final MethodHandle HANDLE = bind("cublasSdot_v2", cublasSdot_v2$DESC);
    }

    /** {@code cublasStatus_t cublasSdot_v2(cublasHandle_t handle, int n, const float *x, int incx, const float *y, int incy, float *result)}. */
    public static int cublasSdot_v2(MemorySegment handle, int n, MemorySegment x, int incx, MemorySegment y, int incy, MemorySegment result) {
        try {
            return (int) handle(cublasSdot_v2.HANDLE, "cublasSdot_v2").invokeExact(handle, n, x, incx, y, incy, result);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cublasStatus_t cublasSaxpy_v2(cublasHandle_t handle, int n, const float *alpha, const float *x, int incx, float *y, int incy)
    static final FunctionDescriptor cublasSaxpy_v2$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);

    private static final class cublasSaxpy_v2 {
        static final MethodHandle HANDLE = bind("cublasSaxpy_v2", cublasSaxpy_v2$DESC);
    }

    /** {@code cublasStatus_t cublasSaxpy_v2(cublasHandle_t handle, int n, const float *alpha, const float *x, int incx, float *y, int incy)}. */
    public static int cublasSaxpy_v2(MemorySegment handle, int n, MemorySegment alpha, MemorySegment x, int incx, MemorySegment y, int incy) {
        try {
            return (int) handle(cublasSaxpy_v2.HANDLE, "cublasSaxpy_v2").invokeExact(handle, n, alpha, x, incx, y, incy);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
