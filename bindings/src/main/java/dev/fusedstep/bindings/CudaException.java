package dev.fusedstep.bindings;

/**
 * A CUDA library call that returned an error: which library and call, the numeric code and its
 * enum name (e.g. {@code cudaErrorMemoryAllocation}, {@code CUBLAS_STATUS_NOT_INITIALIZED}).
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int code;
    private final String errorName;

    public CudaException(String call, int code, String errorName, String description) {
        super(call + " failed: " + errorName + " (" + code + ")"
                + (description == null || description.isBlank() ? "" : ": " + description));
        this.call = call;
        this.code = code;
        this.errorName = errorName;
    }

    /** Throws unless {@code error} is {@code cudaSuccess}; {@code call} names the runtime function. */
    public static void check(int error, String call) {
        if (error != CudaRuntime.SUCCESS) {
            throw CudaRuntime.exception(error, call);
        }
    }

    /** The C function that failed, e.g. {@code "cudaMalloc"}. */
    public String call() {
        return call;
    }

    /** The {@code cudaError_t} or {@code cublasStatus_t} value. */
    public int code() {
        return code;
    }

    /** The enum constant's name for {@link #code()}. */
    public String errorName() {
        return errorName;
    }
}
