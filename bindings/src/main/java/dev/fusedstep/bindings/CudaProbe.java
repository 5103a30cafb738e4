package dev.fusedstep.bindings;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Whether this machine can run CUDA, and if not, why, in one sentence: the library is missing,
 * lacks a function, or answers {@code cudaGetDeviceCount} with an error (typically
 * {@code cudaErrorInsufficientDriver} where the toolkit is installed without a driver or GPU).
 * Probing never throws.
 *
 * @param available      a CUDA runtime loaded and sees at least one device
 * @param reason         why not, or what was found; one line either way
 * @param runtimeVersion {@code cudaRuntimeGetVersion} (1000 x major + 10 x minor), 0 if unknown
 * @param deviceCount    devices the runtime sees, 0 if unknown
 */
public record CudaProbe(boolean available, String reason, int runtimeVersion, int deviceCount) {

    /** Probes the libcudart this JVM uses ({@link CudaRuntime#library()}). */
    public static CudaProbe probe() {
        return probe(CudaRuntime.library());
    }

    /** Probes {@code cudart}, a library that may or may not be there or be a CUDA runtime. */
    public static CudaProbe probe(NativeLibrary cudart) {
        if (!cudart.isLoaded()) {
            return unavailable(cudart.missingReason().orElse(cudart.name() + " not loaded"), 0);
        }
        String where = cudart.name() + " found at " + cudart.location().orElseThrow();
        Optional<MethodHandle> getVersion = cudart.downcall("cudaRuntimeGetVersion", CudaRuntime.cudaRuntimeGetVersion$DESC);
        Optional<MethodHandle> getCount = cudart.downcall("cudaGetDeviceCount", CudaRuntime.cudaGetDeviceCount$DESC);
        Optional<MethodHandle> getName = cudart.downcall("cudaGetErrorName", CudaRuntime.cudaGetErrorName$DESC);
        if (getVersion.isEmpty() || getCount.isEmpty() || getName.isEmpty()) {
            String lacking = getVersion.isEmpty() ? "cudaRuntimeGetVersion"
                    : getCount.isEmpty() ? "cudaGetDeviceCount" : "cudaGetErrorName";
            return unavailable(where + ", but it lacks " + lacking + "; expected a CUDA runtime library", 0);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            int err = (int) getVersion.get().invokeExact(out);
            if (err != CudaRuntime.SUCCESS) {
                return unavailable(where + ", but cudaRuntimeGetVersion failed: "
                        + describe(getName.get(), err), 0);
            }
            int version = out.get(JAVA_INT, 0);
            where += " (CUDA runtime " + versionString(version) + ")";
            out.set(JAVA_INT, 0, 0);
            err = (int) getCount.get().invokeExact(out);
            if (err != CudaRuntime.SUCCESS) {
                return unavailable(where + ", but cudaGetDeviceCount failed: " + describe(getName.get(), err), version);
            }
            int count = out.get(JAVA_INT, 0);
            if (count < 1) {
                return unavailable(where + ", but it sees no CUDA device", version);
            }
            return new CudaProbe(true, where + ", " + count + (count == 1 ? " device" : " devices"), version, count);
        } catch (Throwable t) {
            // A downcall into a foreign library is the one place a probe could fail unexpectedly.
            return unavailable(where + ", but calling it failed: " + t, 0);
        }
    }

    /** "13.0" for 13000. */
    public static String versionString(int runtimeVersion) {
        return runtimeVersion / 1000 + "." + runtimeVersion % 1000 / 10;
    }

    private static CudaProbe unavailable(String reason, int runtimeVersion) {
        return new CudaProbe(false, reason, runtimeVersion, 0);
    }

    /** "cudaErrorInsufficientDriver (35): no NVIDIA driver, or one older than this runtime". */
    private static String describe(MethodHandle getErrorName, int err) throws Throwable {
        String name = CudaRuntime.cudaStringOf((MemorySegment) getErrorName.invokeExact(err));
        String hint = switch (err) {
            case 35 -> ": no NVIDIA driver, or one older than this runtime";
            case 100 -> ": no CUDA device is visible";
            default -> "";
        };
        return name + " (" + err + ")" + hint;
    }
}
