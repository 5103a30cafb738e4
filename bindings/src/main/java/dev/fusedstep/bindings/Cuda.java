package dev.fusedstep.bindings;

import static dev.fusedstep.bindings.CudaException.check;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The CUDA runtime calls a backend makes, checked: each wraps one {@link CudaRuntime} function,
 * passes its out-parameters through a short-lived arena, and throws {@link CudaException} (with
 * the error's name and code) instead of returning an error. Device pointers come back as
 * {@link MemorySegment}s of the allocated size that the host must never dereference.
 */
public final class Cuda {
    private Cuda() {}

    // --- versions and devices

    /** {@code cudaRuntimeGetVersion}: 1000 x major + 10 x minor. */
    public static int runtimeVersion() {
        return outInt(CudaRuntime::cudaRuntimeGetVersion, "cudaRuntimeGetVersion");
    }

    /** {@code cudaDriverGetVersion}: 1000 x major + 10 x minor; 0 when no driver is installed. */
    public static int driverVersion() {
        return outInt(CudaRuntime::cudaDriverGetVersion, "cudaDriverGetVersion");
    }

    /** {@code cudaGetDeviceCount}. */
    public static int deviceCount() {
        return outInt(CudaRuntime::cudaGetDeviceCount, "cudaGetDeviceCount");
    }

    public static void setDevice(int device) {
        check(CudaRuntime.cudaSetDevice(device), "cudaSetDevice");
    }

    public static int device() {
        return outInt(CudaRuntime::cudaGetDevice, "cudaGetDevice");
    }

    /** {@code cudaDeviceGetAttribute} for one of the {@code CudaRuntime.cudaDevAttr*} constants. */
    public static int attribute(int attribute, int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check(CudaRuntime.cudaDeviceGetAttribute(v, attribute, device), "cudaDeviceGetAttribute");
            return v.get(JAVA_INT, 0);
        }
    }

    public static void deviceSynchronize() {
        check(CudaRuntime.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    /** Throws if a launch or asynchronous call failed since the last check ({@code cudaGetLastError}). */
    public static void checkLastError(String after) {
        check(CudaRuntime.cudaGetLastError(), "cudaGetLastError after " + after);
    }

    // --- memory

    /** {@code cudaMalloc}: {@code bytes} of device memory, at least 256-byte aligned. */
    public static MemorySegment malloc(long bytes) {
        return outPointer(p -> CudaRuntime.cudaMalloc(p, bytes), "cudaMalloc(" + bytes + " bytes)").reinterpret(bytes);
    }

    public static void free(MemorySegment devPtr) {
        check(CudaRuntime.cudaFree(devPtr), "cudaFree");
    }

    /** {@code cudaMallocAsync}: stream-ordered allocation from the device's default pool. */
    public static MemorySegment mallocAsync(long bytes, MemorySegment stream) {
        return outPointer(p -> CudaRuntime.cudaMallocAsync(p, bytes, stream), "cudaMallocAsync(" + bytes + " bytes)")
                .reinterpret(bytes);
    }

    public static void freeAsync(MemorySegment devPtr, MemorySegment stream) {
        check(CudaRuntime.cudaFreeAsync(devPtr, stream), "cudaFreeAsync");
    }

    /** {@code cudaMallocHost}: page-locked host memory the host may read and write. */
    public static MemorySegment mallocHost(long bytes) {
        return outPointer(p -> CudaRuntime.cudaMallocHost(p, bytes), "cudaMallocHost(" + bytes + " bytes)")
                .reinterpret(bytes);
    }

    public static void freeHost(MemorySegment ptr) {
        check(CudaRuntime.cudaFreeHost(ptr), "cudaFreeHost");
    }

    /** {@code cudaMemGetInfo} for the current device: {free, total} bytes. */
    public static long[] memoryInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(JAVA_LONG), total = a.allocate(JAVA_LONG);
            check(CudaRuntime.cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        }
    }

    /** {@code cudaMemcpy} of {@code bytes}; {@code kind} is a {@code CudaRuntime.cudaMemcpy*} constant. */
    public static void memcpy(MemorySegment dst, MemorySegment src, long bytes, int kind) {
        check(CudaRuntime.cudaMemcpy(dst, src, bytes, kind), "cudaMemcpy");
    }

    /** {@code cudaMemcpyAsync}; host memory must be native (page-locked to overlap with work). */
    public static void memcpyAsync(MemorySegment dst, MemorySegment src, long bytes, int kind, MemorySegment stream) {
        check(CudaRuntime.cudaMemcpyAsync(dst, src, bytes, kind, stream), "cudaMemcpyAsync");
    }

    public static void memset(MemorySegment devPtr, int value, long bytes) {
        check(CudaRuntime.cudaMemset(devPtr, value, bytes), "cudaMemset");
    }

    public static void memsetAsync(MemorySegment devPtr, int value, long bytes, MemorySegment stream) {
        check(CudaRuntime.cudaMemsetAsync(devPtr, value, bytes, stream), "cudaMemsetAsync");
    }

    // --- streams and events

    /** A new stream; non-blocking ones do not wait for the legacy default stream. */
    public static MemorySegment streamCreate(boolean nonBlocking) {
        int flags = nonBlocking ? CudaRuntime.cudaStreamNonBlocking : CudaRuntime.cudaStreamDefault;
        return outPointer(p -> CudaRuntime.cudaStreamCreateWithFlags(p, flags), "cudaStreamCreateWithFlags");
    }

    public static void streamDestroy(MemorySegment stream) {
        check(CudaRuntime.cudaStreamDestroy(stream), "cudaStreamDestroy");
    }

    public static void streamSynchronize(MemorySegment stream) {
        check(CudaRuntime.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    /** A new event; {@code timing} false makes a cheaper one that cannot be timed. */
    public static MemorySegment eventCreate(boolean timing) {
        int flags = timing ? CudaRuntime.cudaEventDefault : CudaRuntime.cudaEventDisableTiming;
        return outPointer(p -> CudaRuntime.cudaEventCreateWithFlags(p, flags), "cudaEventCreateWithFlags");
    }

    public static void eventRecord(MemorySegment event, MemorySegment stream) {
        check(CudaRuntime.cudaEventRecord(event, stream), "cudaEventRecord");
    }

    public static void eventSynchronize(MemorySegment event) {
        check(CudaRuntime.cudaEventSynchronize(event), "cudaEventSynchronize");
    }

    /** Milliseconds between two recorded (and completed) events. */
    public static float eventElapsedMillis(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ms = a.allocate(JAVA_FLOAT);
            check(CudaRuntime.cudaEventElapsedTime(ms, start, end), "cudaEventElapsedTime");
            return ms.get(JAVA_FLOAT, 0);
        }
    }

    public static void eventDestroy(MemorySegment event) {
        check(CudaRuntime.cudaEventDestroy(event), "cudaEventDestroy");
    }

    // --- code: libraries, kernels, launches

    /** {@code cudaLibraryLoadData} of a fatbin (or cubin, or PTX) image held in native memory, no options. */
    public static MemorySegment libraryLoadData(MemorySegment image) {
        return outPointer(p -> CudaRuntime.cudaLibraryLoadData(p, image, MemorySegment.NULL, MemorySegment.NULL, 0,
                MemorySegment.NULL, MemorySegment.NULL, 0), "cudaLibraryLoadData");
    }

    public static void libraryUnload(MemorySegment library) {
        check(CudaRuntime.cudaLibraryUnload(library), "cudaLibraryUnload");
    }

    /** {@code cudaLibraryGetKernel} for the {@code extern "C"} kernel {@code name}. */
    public static MemorySegment libraryGetKernel(MemorySegment library, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cName = a.allocateFrom(name);
            return outPointer(p -> CudaRuntime.cudaLibraryGetKernel(p, library, cName), "cudaLibraryGetKernel(" + name + ")");
        }
    }

    /** Resident blocks of {@code blockSize} threads per multiprocessor, for sizing a persistent grid. */
    public static int maxActiveBlocksPerMultiprocessor(MemorySegment kernel, int blockSize, long dynamicSharedBytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            check(CudaRuntime.cudaOccupancyMaxActiveBlocksPerMultiprocessor(n, kernel, blockSize, dynamicSharedBytes),
                    "cudaOccupancyMaxActiveBlocksPerMultiprocessor");
            return n.get(JAVA_INT, 0);
        }
    }

    /**
     * {@code cudaLaunchKernel} of a one-dimensional grid: {@code args} from {@link KernelArgs}.
     * Asynchronous: a bad configuration throws here, a fault in the kernel surfaces at the next
     * synchronization.
     */
    public static void launch(MemorySegment kernel, int gridX, int blockX, long sharedBytes, MemorySegment stream,
            KernelArgs args) {
        try (Arena a = Arena.ofConfined()) {
            check(CudaRuntime.cudaLaunchKernel(kernel, CudaRuntime.dim3(a, gridX, 1, 1), CudaRuntime.dim3(a, blockX, 1, 1),
                    args.array(), sharedBytes, stream), "cudaLaunchKernel");
        }
    }

    // --- graphs

    /** Starts capturing {@code stream}'s work into a graph instead of running it. */
    public static void beginCapture(MemorySegment stream, int mode) {
        check(CudaRuntime.cudaStreamBeginCapture(stream, mode), "cudaStreamBeginCapture");
    }

    /** Ends the capture and returns the graph. */
    public static MemorySegment endCapture(MemorySegment stream) {
        return outPointer(p -> CudaRuntime.cudaStreamEndCapture(stream, p), "cudaStreamEndCapture");
    }

    public static MemorySegment graphInstantiate(MemorySegment graph) {
        return outPointer(p -> CudaRuntime.cudaGraphInstantiate(p, graph, 0L), "cudaGraphInstantiate");
    }

    public static void graphLaunch(MemorySegment graphExec, MemorySegment stream) {
        check(CudaRuntime.cudaGraphLaunch(graphExec, stream), "cudaGraphLaunch");
    }

    public static void graphExecDestroy(MemorySegment graphExec) {
        check(CudaRuntime.cudaGraphExecDestroy(graphExec), "cudaGraphExecDestroy");
    }

    public static void graphDestroy(MemorySegment graph) {
        check(CudaRuntime.cudaGraphDestroy(graph), "cudaGraphDestroy");
    }

    // --- out-parameter plumbing

    private interface OutCall {
        int call(MemorySegment out);
    }

    private static int outInt(OutCall f, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check(f.call(out), name);
            return out.get(JAVA_INT, 0);
        }
    }

    private static MemorySegment outPointer(OutCall f, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check(f.call(out), name);
            return out.get(ADDRESS, 0);
        }
    }
}
