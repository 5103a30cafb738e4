package dev.fusedstep.bindings;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Facts about one CUDA device, for {@code fusedstep info} and for sizing grids.
 *
 * <p>Read robustly across CUDA versions: every number through {@code cudaDeviceGetAttribute},
 * whose enum values are frozen in CUDA's ABI; the memory size through {@code cudaMemGetInfo};
 * and only the name from {@code cudaGetDeviceProperties}, whose first field it is in every
 * version. The rest of that struct moves between versions (CUDA 13 removed fields, shifting
 * everything after them), so reading {@code major} or {@code multiProcessorCount} at compiled-in
 * offsets would silently break with the next runtime.
 *
 * @param ordinal         the device index
 * @param name            e.g. "NVIDIA H100 80GB HBM3"
 * @param totalMemory     bytes of device memory
 * @param freeMemory      bytes free when queried
 * @param multiprocessors streaming multiprocessors (SMs)
 * @param major           compute capability, major
 * @param minor           compute capability, minor
 * @param l2CacheBytes    L2 cache size
 * @param memoryBusBits   global memory bus width
 * @param maxThreadsPerMultiprocessor resident threads per SM
 * @param memoryPools     whether cudaMallocAsync is supported
 */
public record CudaDeviceInfo(int ordinal, String name, long totalMemory, long freeMemory, int multiprocessors,
        int major, int minor, int l2CacheBytes, int memoryBusBits, int maxThreadsPerMultiprocessor,
        boolean memoryPools) {

    /** Queries device {@code ordinal}; the calling thread's current device is left as it was. */
    public static CudaDeviceInfo query(int ordinal) {
        int count = Cuda.deviceCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new IllegalArgumentException("device: got " + ordinal + ", expected 0.." + (count - 1)
                    + " (" + count + " CUDA device" + (count == 1 ? "" : "s") + ")");
        }
        int previous = Cuda.device();
        Cuda.setDevice(ordinal);
        try {
            long[] memory = Cuda.memoryInfo();
            return new CudaDeviceInfo(ordinal, name(ordinal), memory[1], memory[0],
                    Cuda.attribute(CudaRuntime.cudaDevAttrMultiProcessorCount, ordinal),
                    Cuda.attribute(CudaRuntime.cudaDevAttrComputeCapabilityMajor, ordinal),
                    Cuda.attribute(CudaRuntime.cudaDevAttrComputeCapabilityMinor, ordinal),
                    Cuda.attribute(CudaRuntime.cudaDevAttrL2CacheSize, ordinal),
                    Cuda.attribute(CudaRuntime.cudaDevAttrGlobalMemoryBusWidth, ordinal),
                    Cuda.attribute(CudaRuntime.cudaDevAttrMaxThreadsPerMultiProcessor, ordinal),
                    Cuda.attribute(CudaRuntime.cudaDevAttrMemoryPoolsSupported, ordinal) != 0);
        } finally {
            Cuda.setDevice(previous);
        }
    }

    /** The device's name: {@code cudaDeviceProp.name}, the one field at the same place in every CUDA version. */
    static String name(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prop = a.allocate(CudaRuntime.cudaDeviceProp$MIN_BYTES, 16);
            CudaException.check(CudaRuntime.cudaGetDeviceProperties(prop, ordinal), "cudaGetDeviceProperties");
            return cString(prop, CudaRuntime.cudaDeviceProp$NAME_BYTES);
        }
    }

    /** A NUL-terminated string within the first {@code max} bytes of {@code s}. */
    static String cString(MemorySegment s, long max) {
        int n = 0;
        while (n < max && s.get(JAVA_BYTE, n) != 0) {
            n++;
        }
        byte[] bytes = s.asSlice(0, n).toArray(JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** "sm_90". */
    public String arch() {
        return "sm_" + major + minor;
    }

    /** One line: "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 79.1 GiB, 50 MiB L2)". */
    public String describe() {
        return String.format("%s (%s, %d SMs, %.1f GiB, %d MiB L2)", name, arch(), multiprocessors,
                totalMemory / (double) (1L << 30), l2CacheBytes >> 20);
    }
}
