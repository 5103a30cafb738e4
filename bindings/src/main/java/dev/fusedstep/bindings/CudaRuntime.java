package dev.fusedstep.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Bindings to the CUDA runtime API ({@code libcudart}), in jextract's shape: one static method
 * per C function, each backed by a downcall handle created on first use. Only what is needed so
 * far is bound. The functions return {@code cudaError_t} as an {@code int}, 0 being success;
 * {@link #errorName(int)} names the others.
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

    /** {@code cudaSuccess}. */
    public static final int SUCCESS = 0;

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
        if (override != null && !override.isBlank()) {
            Path file = Path.of(override);
            if (!Files.exists(file)) {
                return NativeLibrary.missing("libcudart", "-D" + PATH_PROPERTY + " names " + override
                        + ", which does not exist; expected the path of a libcudart shared library");
            }
            return NativeLibrary.load("libcudart", List.of(file), List.of());
        }
        List<Path> files = new ArrayList<>();
        for (Path dir : searchFolders(cudaHome)) {
            for (String soname : SONAMES) {
                files.add(dir.resolve(soname));
            }
        }
        return NativeLibrary.load("libcudart", files, SONAMES);
    }

    /** Folders that may hold libcudart, most specific first, without duplicates. */
    static List<Path> searchFolders(String cudaHome) {
        List<Path> dirs = new ArrayList<>();
        if (cudaHome != null && !cudaHome.isBlank()) {
            dirs.add(Path.of(cudaHome, "lib64"));
        }
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        String target = targetFolder();
        Path local = Path.of("/usr/local");
        if (target != null && Files.isDirectory(local)) {
            try (Stream<Path> entries = Files.list(local)) {
                entries.filter(p -> p.getFileName().toString().startsWith("cuda-"))
                        .sorted((a, b) -> b.getFileName().toString().compareTo(a.getFileName().toString()))
                        .forEach(p -> dirs.add(p.resolve("targets").resolve(target).resolve("lib")));
            } catch (java.io.IOException | SecurityException e) {
                // An unreadable /usr/local just means fewer places to look.
            }
        }
        return dirs.stream().distinct().toList();
    }

    /** CUDA's name for this machine's target folder, or null where CUDA does not ship one. */
    private static String targetFolder() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return null;
        }
        return switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "x86_64-linux";
            case "aarch64" -> "sbsa-linux";
            default -> null;
        };
    }

    // --- cudaError_t cudaGetDeviceCount(int *count)

    static final FunctionDescriptor cudaGetDeviceCount$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaGetDeviceCount {
        static final MethodHandle HANDLE = library().downcall("cudaGetDeviceCount", cudaGetDeviceCount$DESC).orElse(null);
    }

    /** {@code cudaError_t cudaGetDeviceCount(int *count)}. */
    public static int cudaGetDeviceCount(MemorySegment count) {
        requireBound(cudaGetDeviceCount.HANDLE, "cudaGetDeviceCount");
        try {
            return (int) cudaGetDeviceCount.HANDLE.invokeExact(count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)

    static final FunctionDescriptor cudaRuntimeGetVersion$DESC = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    private static final class cudaRuntimeGetVersion {
        static final MethodHandle HANDLE = library().downcall("cudaRuntimeGetVersion", cudaRuntimeGetVersion$DESC).orElse(null);
    }

    /** {@code cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)}: 1000 x major + 10 x minor. */
    public static int cudaRuntimeGetVersion(MemorySegment runtimeVersion) {
        requireBound(cudaRuntimeGetVersion.HANDLE, "cudaRuntimeGetVersion");
        try {
            return (int) cudaRuntimeGetVersion.HANDLE.invokeExact(runtimeVersion);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- const char *cudaGetErrorName(cudaError_t error)

    static final FunctionDescriptor cudaGetErrorName$DESC = FunctionDescriptor.of(ADDRESS, JAVA_INT);

    private static final class cudaGetErrorName {
        static final MethodHandle HANDLE = library().downcall("cudaGetErrorName", cudaGetErrorName$DESC).orElse(null);
    }

    /** {@code const char *cudaGetErrorName(cudaError_t error)}: a zero-length segment; see {@link #errorName(int)}. */
    public static MemorySegment cudaGetErrorName(int error) {
        requireBound(cudaGetErrorName.HANDLE, "cudaGetErrorName");
        try {
            return (MemorySegment) cudaGetErrorName.HANDLE.invokeExact(error);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The enum name of {@code error}, e.g. {@code "cudaErrorInsufficientDriver"}. */
    public static String errorName(int error) {
        return cudaStringOf(cudaGetErrorName(error));
    }

    /** Reads a static C string the runtime returned (the runtime owns it; it is never freed). */
    static String cudaStringOf(MemorySegment cString) {
        if (cString.equals(MemorySegment.NULL)) {
            return "unknown error";
        }
        return cString.reinterpret(Long.MAX_VALUE).getString(0);
    }

    private static void requireBound(MethodHandle handle, String symbol) {
        if (handle == null) {
            throw library().unavailable(symbol);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("a CUDA downcall threw a checked exception", t);
    }
}
