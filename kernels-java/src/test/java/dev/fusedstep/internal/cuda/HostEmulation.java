package dev.fusedstep.internal.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * fusedstep's CUDA kernels compiled for the host by the system's C++ compiler
 * (native/src/test/host/fs_host.cpp) and called through FFM: element-wise kernels one emulated
 * thread after another, block-synchronizing ones (the norms) one block at a time on host threads.
 * Built once per JVM into a temporary folder; absent (with the reason) where there is no
 * compiler or no native/ sources.
 */
final class HostEmulation {

    private final MethodHandle prepare;
    private final MethodHandle step;
    private final MethodHandle cast;
    private final MethodHandle norm;
    private final MethodHandle clipCoefficient;
    private final MethodHandle scale;
    private final MethodHandle clamp;
    private final MethodHandle initUniform;
    private final MethodHandle initNormal;
    private final MethodHandle initTruncNormal;
    private final MethodHandle initConstant;
    private final MethodHandle exp;
    private final MethodHandle log;
    private final MethodHandle normalQuantile;
    // --- half-precision layouts ---
    private final MethodHandle stepLayouts;
    // --- end half-precision layouts ---
    private final SymbolLookup symbols;

    private HostEmulation(SymbolLookup lib) {
        symbols = lib;
        Linker linker = Linker.nativeLinker();
        amp = new Amp(lib, linker);  // cudaamp
        prepare = linker.downcallHandle(lib.find("fs_host_prepare").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        step = linker.downcallHandle(lib.find("fs_host_step").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS));
        cast = linker.downcallHandle(lib.find("fs_host_cast").orElseThrow(),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
        norm = linker.downcallHandle(lib.find("fs_host_norm").orElseThrow(), FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS,
                JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_DOUBLE, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        clipCoefficient = linker.downcallHandle(lib.find("fs_host_clip_coefficient").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_DOUBLE, ADDRESS));
        scale = linker.downcallHandle(lib.find("fs_host_scale").orElseThrow(),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS));
        clamp = linker.downcallHandle(lib.find("fs_host_clamp").orElseThrow(),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_FLOAT, JAVA_FLOAT));
        // (grid, block, out, n, first, dtype, seed, stream, then the sampler's parameters)
        FunctionDescriptor init = FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT,
                JAVA_LONG, JAVA_LONG);
        initUniform = linker.downcallHandle(lib.find("fs_host_init_uniform").orElseThrow(),
                init.appendArgumentLayouts(JAVA_FLOAT, JAVA_FLOAT));
        initNormal = linker.downcallHandle(lib.find("fs_host_init_normal").orElseThrow(),
                init.appendArgumentLayouts(JAVA_FLOAT, JAVA_FLOAT));
        initTruncNormal = linker.downcallHandle(lib.find("fs_host_init_trunc_normal").orElseThrow(),
                init.appendArgumentLayouts(JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE));
        initConstant = linker.downcallHandle(lib.find("fs_host_init_constant").orElseThrow(),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_FLOAT));
        exp = linker.downcallHandle(lib.find("fs_host_exp").orElseThrow(), FunctionDescriptor.of(JAVA_DOUBLE, JAVA_DOUBLE));
        log = linker.downcallHandle(lib.find("fs_host_log").orElseThrow(), FunctionDescriptor.of(JAVA_DOUBLE, JAVA_DOUBLE));
        normalQuantile = linker.downcallHandle(lib.find("fs_host_normal_quantile").orElseThrow(),
                FunctionDescriptor.of(JAVA_DOUBLE, JAVA_DOUBLE));
        // --- half-precision layouts ---
        stepLayouts = linker.downcallHandle(lib.find("fs_host_step_layouts").orElseThrow(), FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS));
        // --- end half-precision layouts ---
    }

    private static String unavailable;
    private static HostEmulation instance;

    /** The emulation, or empty with {@link #whyUnavailable()} set. */
    static synchronized Optional<HostEmulation> get() {
        if (instance == null && unavailable == null) {
            try {
                instance = build();
            } catch (IOException | InterruptedException | RuntimeException e) {
                unavailable = "host emulation not built: " + e.getMessage();
            }
        }
        return Optional.ofNullable(instance);
    }

    static synchronized String whyUnavailable() {
        return unavailable;
    }

    private static HostEmulation build() throws IOException, InterruptedException {
        Path src = NativeSources.dir().orElseThrow(() -> new IllegalStateException("native/src/main/cuda not found from "
                + System.getProperty("user.dir"))).resolve("../../test/host/fs_host.cpp").normalize();
        if (!Files.isRegularFile(src)) {
            throw new IllegalStateException(src + " is missing");
        }
        String cxx = System.getenv().getOrDefault("CXX", "g++");
        Path dir = Files.createTempDirectory("fusedstep-host-emulation");
        Path lib = dir.resolve("libfs_host.so");
        List<String> cmd = new ArrayList<>(List.of(cxx, "-std=c++20", "-pthread", "-O2", "-ffp-contract=off", "-fno-strict-aliasing",
                "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-o", lib.toString(), src.toString()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("no C++ compiler '" + cxx + "' (set CXX): " + e.getMessage(), e);
        }
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + log);
        }
        lib.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return new HostEmulation(SymbolLookup.libraryLookup(lib, Arena.global()));
    }

    /** fs_{@code rule}_prepare<<<1, 1>>>(group, foundInf); {@code rule} as DeviceRule.kernel() names it. */
    void prepare(String kernel, MemorySegment group, MemorySegment foundInf) {
        try (Arena a = Arena.ofConfined()) {
            check((int) prepare.invokeExact(a.allocateFrom(kernel), group, foundInf), kernel);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fs_{@code rule}_step<<<grid, block>>>(table, rows, chunks, group, gradScale, foundInf). */
    void step(String kernel, int grid, int block, MemorySegment table, int rows, long chunks, MemorySegment group,
            MemorySegment gradScale, MemorySegment foundInf) {
        try (Arena a = Arena.ofConfined()) {
            check((int) step.invokeExact(a.allocateFrom(kernel), grid, block, table, rows, chunks, group, gradScale, foundInf),
                    kernel);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- half-precision layouts ---
    /** fs_{@code rule}_step_layouts<<<grid, block>>>(table, rows, chunks, group, gradScale, foundInf): rows of any storage layout. */
    void stepLayouts(String kernel, int grid, int block, MemorySegment table, int rows, long chunks, MemorySegment group,
            MemorySegment gradScale, MemorySegment foundInf) {
        try (Arena a = Arena.ofConfined()) {
            check((int) stepLayouts.invokeExact(a.allocateFrom(kernel), grid, block, table, rows, chunks, group, gradScale,
                    foundInf), kernel);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
    // --- end half-precision layouts ---

    /** fs_cast<<<grid, block>>>(table, rows, chunks, kind). */
    void cast(int grid, int block, MemorySegment table, int rows, long chunks, int kind) {
        try {
            cast.invokeExact(grid, block, table, rows, chunks, kind);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fs_norm_partials<<<grid, 256>>> then fs_norm_finish<<<1, 256>>>, each block on 256 host threads. */
    void norm(int grid, MemorySegment table, int rows, long chunks, int kind, double p, MemorySegment scale,
            MemorySegment partials, MemorySegment total, MemorySegment foundInf) {
        try {
            norm.invokeExact(grid, table, rows, chunks, kind, p, scale, partials, total, foundInf);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fs_clip_coefficient<<<1, 1>>>. */
    void clipCoefficient(MemorySegment total, double maxNorm, MemorySegment coefficient) {
        try {
            clipCoefficient.invokeExact(total, maxNorm, coefficient);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fs_scale<<<grid, block>>>. */
    void scale(int grid, int block, MemorySegment table, int rows, long chunks, MemorySegment coefficient) {
        try {
            scale.invokeExact(grid, block, table, rows, chunks, coefficient);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fs_clamp<<<grid, block>>>. */
    void clamp(int grid, int block, MemorySegment table, int rows, long chunks, float lo, float hi) {
        try {
            clamp.invokeExact(grid, block, table, rows, chunks, lo, hi);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fs_init_uniform<<<grid, block>>>(out, n, first, dtype, seed, stream, a, b); dtype as DeviceInit codes it. */
    void initUniform(int grid, int block, MemorySegment out, long n, long first, int dtype, long seed, long stream,
            float a, float b) {
        try {
            initUniform.invokeExact(grid, block, out, n, first, dtype, seed, stream, a, b);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fs_init_normal<<<grid, block>>>(out, n, first, dtype, seed, stream, mean, std). */
    void initNormal(int grid, int block, MemorySegment out, long n, long first, int dtype, long seed, long stream,
            float mean, float std) {
        try {
            initNormal.invokeExact(grid, block, out, n, first, dtype, seed, stream, mean, std);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fs_init_trunc_normal<<<grid, block>>>(out, n, first, dtype, seed, stream, mean, std, a, b). */
    void initTruncNormal(int grid, int block, MemorySegment out, long n, long first, int dtype, long seed, long stream,
            double mean, double std, double a, double b) {
        try {
            initTruncNormal.invokeExact(grid, block, out, n, first, dtype, seed, stream, mean, std, a, b);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fs_init_constant<<<grid, block>>>(out, n, dtype, value). */
    void initConstant(int grid, int block, MemorySegment out, long n, int dtype, float value) {
        try {
            initConstant.invokeExact(grid, block, out, n, dtype, value);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The kernels' port of fdlibm's exp (StrictMath.exp's bits). */
    double exp(double x) {
        try {
            return (double) exp.invokeExact(x);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The kernels' port of fdlibm's log (StrictMath.log's bits). */
    double log(double x) {
        try {
            return (double) log.invokeExact(x);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The truncated normal kernel's quantile, {@code Phi^-1((1 + v) / 2)} (NormalQuantile.ofErf's bits). */
    double normalQuantile(double v) {
        try {
            return (double) normalQuantile.invokeExact(v);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Reads the scalars of a host-side control block. */
    static float[] scalars(MemorySegment group) {
        return group.asSlice(DeviceLayouts.GROUP_SCALARS, 4L * DeviceLayouts.SCALAR_SLOTS).toArray(JAVA_FLOAT);
    }

    // ---- cudaamp: the loss scaler's kernels (tensor/amp.cu) ----------------------------------------

    private final Amp amp;

    /** The loss scaler's kernels. */
    Amp amp() {
        return amp;
    }

    /** fs_amp_multiplier and fs_amp_update_scale, one emulated thread each. */
    static final class Amp {
        private final MethodHandle multiplier;
        private final MethodHandle updateScale;

        private Amp(SymbolLookup lib, Linker linker) {
            multiplier = linker.downcallHandle(lib.find("fs_host_amp_multiplier").orElseThrow(),
                    FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_DOUBLE, ADDRESS, ADDRESS));
            updateScale = linker.downcallHandle(lib.find("fs_host_amp_update_scale").orElseThrow(),
                    FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS, JAVA_DOUBLE, JAVA_DOUBLE, JAVA_INT));
        }

        /** fs_amp_multiplier<<<1, 1>>>(scale, total, maxNorm, multiplier, unscaledNorm). */
        void multiplier(MemorySegment scale, MemorySegment total, double maxNorm, MemorySegment multiplier,
                MemorySegment unscaledNorm) {
            try {
                this.multiplier.invokeExact(scale, total, maxNorm, multiplier, unscaledNorm);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** fs_amp_update_scale<<<1, 1>>>(scale, growthTracker, foundInf, growthFactor, backoffFactor, growthInterval). */
        void updateScale(MemorySegment scale, MemorySegment growthTracker, MemorySegment foundInf, double growthFactor,
                double backoffFactor, int growthInterval) {
            try {
                updateScale.invokeExact(scale, growthTracker, foundInf, growthFactor, backoffFactor, growthInterval);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    // ---- end cudaamp --------------------------------------------------------------------------------

    private static void check(int rc, String kernel) {
        if (rc != 0) {
            throw new IllegalArgumentException("kernel: got \"" + kernel + "\", which the host emulation does not have");
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** The entry point {@code name} of the emulation library (for tests that bind their own, e.g. HostEmulationMlpTest). */
    MethodHandle entry(String name, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(symbols.find(name).orElseThrow(
                () -> new IllegalStateException(name + " is missing from the host emulation library")), descriptor);
    }
}
