package dev.fusedstep.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;

/**
 * Bindings to the CUDA runtime API ({@code libcudart}), in the shape jextract generates: one
 * static method per C function, each backed by a downcall handle created on first use and
 * invoked with {@code invokeExact}; layouts and enum values as constants. Pointers and opaque
 * handles (streams, events, graphs, libraries, kernels, device memory) are {@link MemorySegment}s;
 * {@code size_t} and {@code unsigned long long} are {@code long}; enums and {@code unsigned int}
 * are {@code int}. Every function returns {@code cudaError_t} as an {@code int}, 0 being success;
 * {@link CudaException#check} turns the others into exceptions that carry the error's name, and
 * {@link Cuda} wraps the calls a backend needs that way.
 *
 * <p>The library is looked for once: the file named by {@code -Dfusedstep.cudart.path}, else
 * {@code $CUDA_HOME/lib64}, {@code /usr/local/cuda/lib64}, {@code /usr/local/cuda-*}'s target
 * folder, else the system loader's search path. Calling a function when it is missing throws an
 * {@link IllegalStateException} that says where it was looked for; {@link CudaProbe} asks first.
 */
public final class CudaRuntime {
    private CudaRuntime() {}

    /** System property naming the libcudart file to load, overriding the search. */
    public static final String PATH_PROPERTY = "fusedstep.cudart.path";

    /** CUDA 13 first: the kernels target it; 12 still runs the runtime calls bound here. */
    static final List<String> SONAMES = List.of("libcudart.so.13", "libcudart.so.12", System.mapLibraryName("cudart"));

    // --- cudaError_t values this project names (the runtime names any other through cudaGetErrorName)

    /** {@code cudaSuccess}. */
    public static final int SUCCESS = 0;
    public static final int cudaErrorInvalidValue = 1;
    public static final int cudaErrorMemoryAllocation = 2;
    /** No NVIDIA driver, or one older than this runtime: what a machine without a GPU answers. */
    public static final int cudaErrorInsufficientDriver = 35;
    public static final int cudaErrorNoDevice = 100;
    public static final int cudaErrorInvalidDevice = 101;
    public static final int cudaErrorNoKernelImageForDevice = 209;
    public static final int cudaErrorSymbolNotFound = 500;
    public static final int cudaErrorNotReady = 600;

    // --- enum cudaMemcpyKind

    public static final int cudaMemcpyHostToHost = 0;
    public static final int cudaMemcpyHostToDevice = 1;
    public static final int cudaMemcpyDeviceToHost = 2;
    public static final int cudaMemcpyDeviceToDevice = 3;
    /** Direction inferred from the pointers (unified addressing). */
    public static final int cudaMemcpyDefault = 4;

    // --- stream and event flags, capture modes

    public static final int cudaStreamDefault = 0;
    /** A stream that does not synchronize with the legacy default stream. */
    public static final int cudaStreamNonBlocking = 1;
    public static final int cudaEventDefault = 0;
    public static final int cudaEventBlockingSync = 1;
    public static final int cudaEventDisableTiming = 2;
    public static final int cudaStreamCaptureModeGlobal = 0;
    public static final int cudaStreamCaptureModeThreadLocal = 1;
    public static final int cudaStreamCaptureModeRelaxed = 2;

    // --- enum cudaDeviceAttr: these numbers are part of CUDA's ABI and never change, unlike
    // cudaDeviceProp's layout (CUDA 13 removed fields from it), so device facts come from here.

    public static final int cudaDevAttrMaxThreadsPerBlock = 1;
    public static final int cudaDevAttrWarpSize = 10;
    public static final int cudaDevAttrMultiProcessorCount = 16;
    public static final int cudaDevAttrPciBusId = 33;
    public static final int cudaDevAttrPciDeviceId = 34;
    public static final int cudaDevAttrGlobalMemoryBusWidth = 37;
    public static final int cudaDevAttrL2CacheSize = 38;
    public static final int cudaDevAttrMaxThreadsPerMultiProcessor = 39;
    public static final int cudaDevAttrComputeCapabilityMajor = 75;
    public static final int cudaDevAttrComputeCapabilityMinor = 76;
    public static final int cudaDevAttrMaxSharedMemoryPerBlockOptin = 97;
    public static final int cudaDevAttrMaxBlocksPerMultiprocessor = 106;
    public static final int cudaDevAttrMemoryPoolsSupported = 115;

    // --- layouts

    /** {@code struct dim3 { unsigned int x, y, z; }}: 12 bytes, passed by value to cudaLaunchKernel. */
    public static final StructLayout dim3 = MemoryLayout.structLayout(
            JAVA_INT.withName("x"), JAVA_INT.withName("y"), JAVA_INT.withName("z")).withName("dim3");

    /**
     * Bytes to allocate for a {@code struct cudaDeviceProp}: more than any CUDA version's (1008 in
     * CUDA 13), since the struct's size and, past {@code name}, its layout change between versions.
     */
    public static final long cudaDeviceProp$MIN_BYTES = 4096;

    /** {@code char name[256]}, the first field of {@code cudaDeviceProp} in every CUDA version. */
    public static final long cudaDeviceProp$NAME_BYTES = 256;

    /** A {@link #dim3} holding {@code x, y, z}, allocated in {@code arena}. */
    public static MemorySegment dim3(Arena arena, int x, int y, int z) {
        MemorySegment d = arena.allocate(dim3);
        d.set(JAVA_INT, 0, x);
        d.set(JAVA_INT, 4, y);
        d.set(JAVA_INT, 8, z);
        return d;
    }

    // --- the library

    private static final class Library {
        static final NativeLibrary INSTANCE = locate(System.getProperty(PATH_PROPERTY), System.getenv("CUDA_HOME"));
    }

    /** The libcudart this JVM uses (loaded or not). */
    public static NativeLibrary library() {
        return Library.INSTANCE;
    }

    /**
     * Looks for libcudart: {@code override} (a file) alone if given, else the folders under
     * {@code cudaHome} and the usual install places, else the system loader's path.
     */
    static NativeLibrary locate(String override, String cudaHome) {
        return CudaLibraries.locate("libcudart", SONAMES, PATH_PROPERTY, override, cudaHome);
    }

    /** Folders that may hold libcudart, most specific first, without duplicates. */
    static List<Path> searchFolders(String cudaHome) {
        return CudaLibraries.searchFolders(cudaHome);
    }

    // --- errors

    /** The enum name of {@code error}, e.g. {@code "cudaErrorInsufficientDriver"}. */
    public static String errorName(int error) {
        return cudaStringOf(cudaGetErrorName(error));
    }

    /** The runtime's description of {@code error}, e.g. {@code "out of memory"}. */
    public static String errorString(int error) {
        return cudaStringOf(cudaGetErrorString(error));
    }

    /** The exception for {@code call} having returned {@code error}, named by the runtime itself. */
    static CudaException exception(int error, String call) {
        String name;
        String description;
        try {
            name = errorName(error);
            description = errorString(error);
        } catch (IllegalStateException e) {
            // cudaGetErrorName itself missing: still report the number
            name = "cudaError";
            description = null;
        }
        return new CudaException(call, error, name, description);
    }

    /** Reads a static C string the runtime returned (the runtime owns it; it is never freed). */
    static String cudaStringOf(MemorySegment cString) {
        if (cString.equals(MemorySegment.NULL)) {
            return "unknown error";
        }
        return cString.reinterpret(Long.MAX_VALUE).getString(0);
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

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("a CUDA downcall threw a checked exception", t);
    }

    // ---------------------------------------------------------------------------------------------
    // Functions, in the order of cuda_runtime_api.h's sections: device, errors, memory, streams,
    // events, libraries and launches, graphs.

    // --- cudaError_t cudaGetDeviceCount(int *count)
    static final FunctionDescriptor cudaGetDeviceCount$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaGetDeviceCount {
        static final MethodHandle HANDLE = bind("cudaGetDeviceCount", cudaGetDeviceCount$DESC);
    }

    /** {@code cudaError_t cudaGetDeviceCount(int *count)}. */
    public static int cudaGetDeviceCount(MemorySegment count) {
        try {
            return (int) handle(cudaGetDeviceCount.HANDLE, "cudaGetDeviceCount").invokeExact(count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)
    static final FunctionDescriptor cudaRuntimeGetVersion$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaRuntimeGetVersion {
        static final MethodHandle HANDLE = bind("cudaRuntimeGetVersion", cudaRuntimeGetVersion$DESC);
    }

    /** {@code cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)}: 1000 x major + 10 x minor. */
    public static int cudaRuntimeGetVersion(MemorySegment runtimeVersion) {
        try {
            return (int) handle(cudaRuntimeGetVersion.HANDLE, "cudaRuntimeGetVersion").invokeExact(runtimeVersion);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaDriverGetVersion(int *driverVersion)
    static final FunctionDescriptor cudaDriverGetVersion$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaDriverGetVersion {
        static final MethodHandle HANDLE = bind("cudaDriverGetVersion", cudaDriverGetVersion$DESC);
    }

    /** {@code cudaError_t cudaDriverGetVersion(int *driverVersion)}: 0 when no driver is installed. */
    public static int cudaDriverGetVersion(MemorySegment driverVersion) {
        try {
            return (int) handle(cudaDriverGetVersion.HANDLE, "cudaDriverGetVersion").invokeExact(driverVersion);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- const char *cudaGetErrorName(cudaError_t error)
    static final FunctionDescriptor cudaGetErrorName$DESC = FunctionDescriptor.of(ADDRESS, JAVA_INT);

    private static final class cudaGetErrorName {
        static final MethodHandle HANDLE = bind("cudaGetErrorName", cudaGetErrorName$DESC);
    }

    /** {@code const char *cudaGetErrorName(cudaError_t error)}: A zero-length segment; see {@link #errorName(int)}. */
    public static MemorySegment cudaGetErrorName(int error) {
        try {
            return (MemorySegment) handle(cudaGetErrorName.HANDLE, "cudaGetErrorName").invokeExact(error);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- const char *cudaGetErrorString(cudaError_t error)
    static final FunctionDescriptor cudaGetErrorString$DESC = FunctionDescriptor.of(ADDRESS, JAVA_INT);

    private static final class cudaGetErrorString {
        static final MethodHandle HANDLE = bind("cudaGetErrorString", cudaGetErrorString$DESC);
    }

    /** {@code const char *cudaGetErrorString(cudaError_t error)}: A zero-length segment; see {@link #errorString(int)}. */
    public static MemorySegment cudaGetErrorString(int error) {
        try {
            return (MemorySegment) handle(cudaGetErrorString.HANDLE, "cudaGetErrorString").invokeExact(error);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaGetLastError(void)
    static final FunctionDescriptor cudaGetLastError$DESC = FunctionDescriptor.of(JAVA_INT);

    private static final class cudaGetLastError {
        static final MethodHandle HANDLE = bind("cudaGetLastError", cudaGetLastError$DESC);
    }

    /** {@code cudaError_t cudaGetLastError(void)}: Returns and clears the last error of this thread. */
    public static int cudaGetLastError() {
        try {
            return (int) handle(cudaGetLastError.HANDLE, "cudaGetLastError").invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaPeekAtLastError(void)
    static final FunctionDescriptor cudaPeekAtLastError$DESC = FunctionDescriptor.of(JAVA_INT);

    private static final class cudaPeekAtLastError {
        static final MethodHandle HANDLE = bind("cudaPeekAtLastError", cudaPeekAtLastError$DESC);
    }

    /** {@code cudaError_t cudaPeekAtLastError(void)}. */
    public static int cudaPeekAtLastError() {
        try {
            return (int) handle(cudaPeekAtLastError.HANDLE, "cudaPeekAtLastError").invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaSetDevice(int device)
    static final FunctionDescriptor cudaSetDevice$DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT);

    private static final class cudaSetDevice {
        static final MethodHandle HANDLE = bind("cudaSetDevice", cudaSetDevice$DESC);
    }

    /** {@code cudaError_t cudaSetDevice(int device)}. */
    public static int cudaSetDevice(int device) {
        try {
            return (int) handle(cudaSetDevice.HANDLE, "cudaSetDevice").invokeExact(device);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaGetDevice(int *device)
    static final FunctionDescriptor cudaGetDevice$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaGetDevice {
        static final MethodHandle HANDLE = bind("cudaGetDevice", cudaGetDevice$DESC);
    }

    /** {@code cudaError_t cudaGetDevice(int *device)}. */
    public static int cudaGetDevice(MemorySegment device) {
        try {
            return (int) handle(cudaGetDevice.HANDLE, "cudaGetDevice").invokeExact(device);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaDeviceSynchronize(void)
    static final FunctionDescriptor cudaDeviceSynchronize$DESC = FunctionDescriptor.of(JAVA_INT);

    private static final class cudaDeviceSynchronize {
        static final MethodHandle HANDLE = bind("cudaDeviceSynchronize", cudaDeviceSynchronize$DESC);
    }

    /** {@code cudaError_t cudaDeviceSynchronize(void)}. */
    public static int cudaDeviceSynchronize() {
        try {
            return (int) handle(cudaDeviceSynchronize.HANDLE, "cudaDeviceSynchronize").invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device)
    static final FunctionDescriptor cudaDeviceGetAttribute$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);

    private static final class cudaDeviceGetAttribute {
        static final MethodHandle HANDLE = bind("cudaDeviceGetAttribute", cudaDeviceGetAttribute$DESC);
    }

    /** {@code cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device)}: {@code attr}: one of the {@code cudaDevAttr*} constants. */
    public static int cudaDeviceGetAttribute(MemorySegment value, int attr, int device) {
        try {
            return (int) handle(cudaDeviceGetAttribute.HANDLE, "cudaDeviceGetAttribute").invokeExact(value, attr, device);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp *prop, int device)
    static final FunctionDescriptor cudaGetDeviceProperties$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);

    private static final class cudaGetDeviceProperties {
        static final MethodHandle HANDLE = bind("cudaGetDeviceProperties", cudaGetDeviceProperties$DESC);
    }

    /** {@code cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp *prop, int device)}: {@code prop} must hold {@link #cudaDeviceProp$MIN_BYTES}; only {@code name} (offset 0) has the same place in every CUDA version. */
    public static int cudaGetDeviceProperties(MemorySegment prop, int device) {
        try {
            return (int) handle(cudaGetDeviceProperties.HANDLE, "cudaGetDeviceProperties").invokeExact(prop, device);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaMemGetInfo(size_t *free, size_t *total)
    static final FunctionDescriptor cudaMemGetInfo$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);

    private static final class cudaMemGetInfo {
        static final MethodHandle HANDLE = bind("cudaMemGetInfo", cudaMemGetInfo$DESC);
    }

    /** {@code cudaError_t cudaMemGetInfo(size_t *free, size_t *total)}: For the current device. */
    public static int cudaMemGetInfo(MemorySegment free, MemorySegment total) {
        try {
            return (int) handle(cudaMemGetInfo.HANDLE, "cudaMemGetInfo").invokeExact(free, total);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaMalloc(void **devPtr, size_t size)
    static final FunctionDescriptor cudaMalloc$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG);

    private static final class cudaMalloc {
        static final MethodHandle HANDLE = bind("cudaMalloc", cudaMalloc$DESC);
    }

    /** {@code cudaError_t cudaMalloc(void **devPtr, size_t size)}. */
    public static int cudaMalloc(MemorySegment devPtr, long size) {
        try {
            return (int) handle(cudaMalloc.HANDLE, "cudaMalloc").invokeExact(devPtr, size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaFree(void *devPtr)
    static final FunctionDescriptor cudaFree$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaFree {
        static final MethodHandle HANDLE = bind("cudaFree", cudaFree$DESC);
    }

    /** {@code cudaError_t cudaFree(void *devPtr)}. */
    public static int cudaFree(MemorySegment devPtr) {
        try {
            return (int) handle(cudaFree.HANDLE, "cudaFree").invokeExact(devPtr);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaMallocAsync(void **devPtr, size_t size, cudaStream_t hStream)
    static final FunctionDescriptor cudaMallocAsync$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS);

    private static final class cudaMallocAsync {
        static final MethodHandle HANDLE = bind("cudaMallocAsync", cudaMallocAsync$DESC);
    }

    /** {@code cudaError_t cudaMallocAsync(void **devPtr, size_t size, cudaStream_t hStream)}. */
    public static int cudaMallocAsync(MemorySegment devPtr, long size, MemorySegment stream) {
        try {
            return (int) handle(cudaMallocAsync.HANDLE, "cudaMallocAsync").invokeExact(devPtr, size, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaFreeAsync(void *devPtr, cudaStream_t hStream)
    static final FunctionDescriptor cudaFreeAsync$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);

    private static final class cudaFreeAsync {
        static final MethodHandle HANDLE = bind("cudaFreeAsync", cudaFreeAsync$DESC);
    }

    /** {@code cudaError_t cudaFreeAsync(void *devPtr, cudaStream_t hStream)}. */
    public static int cudaFreeAsync(MemorySegment devPtr, MemorySegment stream) {
        try {
            return (int) handle(cudaFreeAsync.HANDLE, "cudaFreeAsync").invokeExact(devPtr, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaMallocHost(void **ptr, size_t size)
    static final FunctionDescriptor cudaMallocHost$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG);

    private static final class cudaMallocHost {
        static final MethodHandle HANDLE = bind("cudaMallocHost", cudaMallocHost$DESC);
    }

    /** {@code cudaError_t cudaMallocHost(void **ptr, size_t size)}: Page-locked host memory, which asynchronous copies need. */
    public static int cudaMallocHost(MemorySegment ptr, long size) {
        try {
            return (int) handle(cudaMallocHost.HANDLE, "cudaMallocHost").invokeExact(ptr, size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaFreeHost(void *ptr)
    static final FunctionDescriptor cudaFreeHost$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaFreeHost {
        static final MethodHandle HANDLE = bind("cudaFreeHost", cudaFreeHost$DESC);
    }

    /** {@code cudaError_t cudaFreeHost(void *ptr)}. */
    public static int cudaFreeHost(MemorySegment ptr) {
        try {
            return (int) handle(cudaFreeHost.HANDLE, "cudaFreeHost").invokeExact(ptr);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
    static final FunctionDescriptor cudaMemcpy$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);

    private static final class cudaMemcpy {
        static final MethodHandle HANDLE = bind("cudaMemcpy", cudaMemcpy$DESC);
    }

    /** {@code cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)}. */
    public static int cudaMemcpy(MemorySegment dst, MemorySegment src, long count, int kind) {
        try {
            return (int) handle(cudaMemcpy.HANDLE, "cudaMemcpy").invokeExact(dst, src, count, kind);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream)
    static final FunctionDescriptor cudaMemcpyAsync$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS);

    private static final class cudaMemcpyAsync {
        static final MethodHandle HANDLE = bind("cudaMemcpyAsync", cudaMemcpyAsync$DESC);
    }

    /** {@code cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream)}. */
    public static int cudaMemcpyAsync(MemorySegment dst, MemorySegment src, long count, int kind, MemorySegment stream) {
        try {
            return (int) handle(cudaMemcpyAsync.HANDLE, "cudaMemcpyAsync").invokeExact(dst, src, count, kind, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaMemset(void *devPtr, int value, size_t count)
    static final FunctionDescriptor cudaMemset$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG);

    private static final class cudaMemset {
        static final MethodHandle HANDLE = bind("cudaMemset", cudaMemset$DESC);
    }

    /** {@code cudaError_t cudaMemset(void *devPtr, int value, size_t count)}. */
    public static int cudaMemset(MemorySegment devPtr, int value, long count) {
        try {
            return (int) handle(cudaMemset.HANDLE, "cudaMemset").invokeExact(devPtr, value, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream)
    static final FunctionDescriptor cudaMemsetAsync$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS);

    private static final class cudaMemsetAsync {
        static final MethodHandle HANDLE = bind("cudaMemsetAsync", cudaMemsetAsync$DESC);
    }

    /** {@code cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream)}. */
    public static int cudaMemsetAsync(MemorySegment devPtr, int value, long count, MemorySegment stream) {
        try {
            return (int) handle(cudaMemsetAsync.HANDLE, "cudaMemsetAsync").invokeExact(devPtr, value, count, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaStreamCreate(cudaStream_t *pStream)
    static final FunctionDescriptor cudaStreamCreate$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaStreamCreate {
        static final MethodHandle HANDLE = bind("cudaStreamCreate", cudaStreamCreate$DESC);
    }

    /** {@code cudaError_t cudaStreamCreate(cudaStream_t *pStream)}. */
    public static int cudaStreamCreate(MemorySegment pStream) {
        try {
            return (int) handle(cudaStreamCreate.HANDLE, "cudaStreamCreate").invokeExact(pStream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags)
    static final FunctionDescriptor cudaStreamCreateWithFlags$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);

    private static final class cudaStreamCreateWithFlags {
        static final MethodHandle HANDLE = bind("cudaStreamCreateWithFlags", cudaStreamCreateWithFlags$DESC);
    }

    /** {@code cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags)}. */
    public static int cudaStreamCreateWithFlags(MemorySegment pStream, int flags) {
        try {
            return (int) handle(cudaStreamCreateWithFlags.HANDLE, "cudaStreamCreateWithFlags").invokeExact(pStream, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaStreamDestroy(cudaStream_t stream)
    static final FunctionDescriptor cudaStreamDestroy$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaStreamDestroy {
        static final MethodHandle HANDLE = bind("cudaStreamDestroy", cudaStreamDestroy$DESC);
    }

    /** {@code cudaError_t cudaStreamDestroy(cudaStream_t stream)}. */
    public static int cudaStreamDestroy(MemorySegment stream) {
        try {
            return (int) handle(cudaStreamDestroy.HANDLE, "cudaStreamDestroy").invokeExact(stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaStreamSynchronize(cudaStream_t stream)
    static final FunctionDescriptor cudaStreamSynchronize$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaStreamSynchronize {
        static final MethodHandle HANDLE = bind("cudaStreamSynchronize", cudaStreamSynchronize$DESC);
    }

    /** {@code cudaError_t cudaStreamSynchronize(cudaStream_t stream)}. */
    public static int cudaStreamSynchronize(MemorySegment stream) {
        try {
            return (int) handle(cudaStreamSynchronize.HANDLE, "cudaStreamSynchronize").invokeExact(stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaEventCreate(cudaEvent_t *event)
    static final FunctionDescriptor cudaEventCreate$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaEventCreate {
        static final MethodHandle HANDLE = bind("cudaEventCreate", cudaEventCreate$DESC);
    }

    /** {@code cudaError_t cudaEventCreate(cudaEvent_t *event)}. */
    public static int cudaEventCreate(MemorySegment event) {
        try {
            return (int) handle(cudaEventCreate.HANDLE, "cudaEventCreate").invokeExact(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags)
    static final FunctionDescriptor cudaEventCreateWithFlags$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);

    private static final class cudaEventCreateWithFlags {
        static final MethodHandle HANDLE = bind("cudaEventCreateWithFlags", cudaEventCreateWithFlags$DESC);
    }

    /** {@code cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags)}. */
    public static int cudaEventCreateWithFlags(MemorySegment event, int flags) {
        try {
            return (int) handle(cudaEventCreateWithFlags.HANDLE, "cudaEventCreateWithFlags").invokeExact(event, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
    static final FunctionDescriptor cudaEventRecord$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);

    private static final class cudaEventRecord {
        static final MethodHandle HANDLE = bind("cudaEventRecord", cudaEventRecord$DESC);
    }

    /** {@code cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)}. */
    public static int cudaEventRecord(MemorySegment event, MemorySegment stream) {
        try {
            return (int) handle(cudaEventRecord.HANDLE, "cudaEventRecord").invokeExact(event, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaEventSynchronize(cudaEvent_t event)
    static final FunctionDescriptor cudaEventSynchronize$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaEventSynchronize {
        static final MethodHandle HANDLE = bind("cudaEventSynchronize", cudaEventSynchronize$DESC);
    }

    /** {@code cudaError_t cudaEventSynchronize(cudaEvent_t event)}. */
    public static int cudaEventSynchronize(MemorySegment event) {
        try {
            return (int) handle(cudaEventSynchronize.HANDLE, "cudaEventSynchronize").invokeExact(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)
    static final FunctionDescriptor cudaEventElapsedTime$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS);

    private static final class cudaEventElapsedTime {
        static final MethodHandle HANDLE = bind("cudaEventElapsedTime", cudaEventElapsedTime$DESC);
    }

    /** {@code cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)}. */
    public static int cudaEventElapsedTime(MemorySegment ms, MemorySegment start, MemorySegment end) {
        try {
            return (int) handle(cudaEventElapsedTime.HANDLE, "cudaEventElapsedTime").invokeExact(ms, start, end);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaEventDestroy(cudaEvent_t event)
    static final FunctionDescriptor cudaEventDestroy$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaEventDestroy {
        static final MethodHandle HANDLE = bind("cudaEventDestroy", cudaEventDestroy$DESC);
    }

    /** {@code cudaError_t cudaEventDestroy(cudaEvent_t event)}. */
    public static int cudaEventDestroy(MemorySegment event) {
        try {
            return (int) handle(cudaEventDestroy.HANDLE, "cudaEventDestroy").invokeExact(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaLibraryLoadData(cudaLibrary_t *library, const void *code, enum cudaJitOption *jitOptions, void **jitOptionsValues, unsigned int numJitOptions, enum cudaLibraryOption *libraryOptions, void **libraryOptionValues, unsigned int numLibraryOptions)
    static final FunctionDescriptor cudaLibraryLoadData$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);

    private static final class cudaLibraryLoadData {
        static final MethodHandle HANDLE = bind("cudaLibraryLoadData", cudaLibraryLoadData$DESC);
    }

    /** {@code cudaError_t cudaLibraryLoadData(cudaLibrary_t *library, const void *code, enum cudaJitOption *jitOptions, void **jitOptionsValues, unsigned int numJitOptions, enum cudaLibraryOption *libraryOptions, void **libraryOptionValues, unsigned int numLibraryOptions)}: {@code code}: a fatbin, cubin or PTX image in host memory. */
    public static int cudaLibraryLoadData(MemorySegment library, MemorySegment code, MemorySegment jitOptions, MemorySegment jitOptionsValues, int numJitOptions, MemorySegment libraryOptions, MemorySegment libraryOptionValues, int numLibraryOptions) {
        try {
            return (int) handle(cudaLibraryLoadData.HANDLE, "cudaLibraryLoadData").invokeExact(library, code, jitOptions, jitOptionsValues, numJitOptions, libraryOptions, libraryOptionValues, numLibraryOptions);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaLibraryUnload(cudaLibrary_t library)
    static final FunctionDescriptor cudaLibraryUnload$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaLibraryUnload {
        static final MethodHandle HANDLE = bind("cudaLibraryUnload", cudaLibraryUnload$DESC);
    }

    /** {@code cudaError_t cudaLibraryUnload(cudaLibrary_t library)}. */
    public static int cudaLibraryUnload(MemorySegment library) {
        try {
            return (int) handle(cudaLibraryUnload.HANDLE, "cudaLibraryUnload").invokeExact(library);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaLibraryGetKernel(cudaKernel_t *pKernel, cudaLibrary_t library, const char *name)
    static final FunctionDescriptor cudaLibraryGetKernel$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS);

    private static final class cudaLibraryGetKernel {
        static final MethodHandle HANDLE = bind("cudaLibraryGetKernel", cudaLibraryGetKernel$DESC);
    }

    /** {@code cudaError_t cudaLibraryGetKernel(cudaKernel_t *pKernel, cudaLibrary_t library, const char *name)}. */
    public static int cudaLibraryGetKernel(MemorySegment pKernel, MemorySegment library, MemorySegment name) {
        try {
            return (int) handle(cudaLibraryGetKernel.HANDLE, "cudaLibraryGetKernel").invokeExact(pKernel, library, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaLaunchKernel(const void *func, dim3 gridDim, dim3 blockDim, void **args, size_t sharedMem, cudaStream_t stream)
    static final FunctionDescriptor cudaLaunchKernel$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, dim3, dim3, ADDRESS, JAVA_LONG, ADDRESS);

    private static final class cudaLaunchKernel {
        static final MethodHandle HANDLE = bind("cudaLaunchKernel", cudaLaunchKernel$DESC);
    }

    /** {@code cudaError_t cudaLaunchKernel(const void *func, dim3 gridDim, dim3 blockDim, void **args, size_t sharedMem, cudaStream_t stream)}: {@code gridDim} and {@code blockDim} are {@link #dim3} structs passed by value; {@code args} holds one pointer to each argument's value. */
    public static int cudaLaunchKernel(MemorySegment func, MemorySegment gridDim, MemorySegment blockDim, MemorySegment args, long sharedMem, MemorySegment stream) {
        try {
            return (int) handle(cudaLaunchKernel.HANDLE, "cudaLaunchKernel").invokeExact(func, gridDim, blockDim, args, sharedMem, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int *numBlocks, const void *func, int blockSize, size_t dynamicSMemSize)
    static final FunctionDescriptor cudaOccupancyMaxActiveBlocksPerMultiprocessor$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG);

    private static final class cudaOccupancyMaxActiveBlocksPerMultiprocessor {
        static final MethodHandle HANDLE = bind("cudaOccupancyMaxActiveBlocksPerMultiprocessor", cudaOccupancyMaxActiveBlocksPerMultiprocessor$DESC);
    }

    /** {@code cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int *numBlocks, const void *func, int blockSize, size_t dynamicSMemSize)}. */
    public static int cudaOccupancyMaxActiveBlocksPerMultiprocessor(MemorySegment numBlocks, MemorySegment func, int blockSize, long dynamicSMemSize) {
        try {
            return (int) handle(cudaOccupancyMaxActiveBlocksPerMultiprocessor.HANDLE, "cudaOccupancyMaxActiveBlocksPerMultiprocessor").invokeExact(numBlocks, func, blockSize, dynamicSMemSize);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode mode)
    static final FunctionDescriptor cudaStreamBeginCapture$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);

    private static final class cudaStreamBeginCapture {
        static final MethodHandle HANDLE = bind("cudaStreamBeginCapture", cudaStreamBeginCapture$DESC);
    }

    /** {@code cudaError_t cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode mode)}. */
    public static int cudaStreamBeginCapture(MemorySegment stream, int mode) {
        try {
            return (int) handle(cudaStreamBeginCapture.HANDLE, "cudaStreamBeginCapture").invokeExact(stream, mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *pGraph)
    static final FunctionDescriptor cudaStreamEndCapture$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);

    private static final class cudaStreamEndCapture {
        static final MethodHandle HANDLE = bind("cudaStreamEndCapture", cudaStreamEndCapture$DESC);
    }

    /** {@code cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *pGraph)}. */
    public static int cudaStreamEndCapture(MemorySegment stream, MemorySegment pGraph) {
        try {
            return (int) handle(cudaStreamEndCapture.HANDLE, "cudaStreamEndCapture").invokeExact(stream, pGraph);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaGraphInstantiate(cudaGraphExec_t *pGraphExec, cudaGraph_t graph, unsigned long long flags)
    static final FunctionDescriptor cudaGraphInstantiate$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);

    private static final class cudaGraphInstantiate {
        static final MethodHandle HANDLE = bind("cudaGraphInstantiate", cudaGraphInstantiate$DESC);
    }

    /** {@code cudaError_t cudaGraphInstantiate(cudaGraphExec_t *pGraphExec, cudaGraph_t graph, unsigned long long flags)}: The CUDA 12+ signature. */
    public static int cudaGraphInstantiate(MemorySegment pGraphExec, MemorySegment graph, long flags) {
        try {
            return (int) handle(cudaGraphInstantiate.HANDLE, "cudaGraphInstantiate").invokeExact(pGraphExec, graph, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec, cudaStream_t stream)
    static final FunctionDescriptor cudaGraphLaunch$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);

    private static final class cudaGraphLaunch {
        static final MethodHandle HANDLE = bind("cudaGraphLaunch", cudaGraphLaunch$DESC);
    }

    /** {@code cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec, cudaStream_t stream)}. */
    public static int cudaGraphLaunch(MemorySegment graphExec, MemorySegment stream) {
        try {
            return (int) handle(cudaGraphLaunch.HANDLE, "cudaGraphLaunch").invokeExact(graphExec, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaGraphExecDestroy(cudaGraphExec_t graphExec)
    static final FunctionDescriptor cudaGraphExecDestroy$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaGraphExecDestroy {
        static final MethodHandle HANDLE = bind("cudaGraphExecDestroy", cudaGraphExecDestroy$DESC);
    }

    /** {@code cudaError_t cudaGraphExecDestroy(cudaGraphExec_t graphExec)}. */
    public static int cudaGraphExecDestroy(MemorySegment graphExec) {
        try {
            return (int) handle(cudaGraphExecDestroy.HANDLE, "cudaGraphExecDestroy").invokeExact(graphExec);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaGraphDestroy(cudaGraph_t graph)
    static final FunctionDescriptor cudaGraphDestroy$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaGraphDestroy {
        static final MethodHandle HANDLE = bind("cudaGraphDestroy", cudaGraphDestroy$DESC);
    }

    /** {@code cudaError_t cudaGraphDestroy(cudaGraph_t graph)}. */
    public static int cudaGraphDestroy(MemorySegment graph) {
        try {
            return (int) handle(cudaGraphDestroy.HANDLE, "cudaGraphDestroy").invokeExact(graph);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
