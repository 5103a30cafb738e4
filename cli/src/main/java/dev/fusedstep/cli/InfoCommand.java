package dev.fusedstep.cli;

import dev.fusedstep.bindings.Cublas;
import dev.fusedstep.bindings.CudaDeviceInfo;
import dev.fusedstep.internal.cuda.CudaBackend;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.io.PrintStream;

/** {@code fusedstep info}: what the kernels will run on here, and why not the GPU. */
final class InfoCommand {
    private InfoCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 0) {
            err.println("info: got arguments " + String.join(" ", args) + ", expected none");
            return 2;
        }
        Runtime.Version v = Runtime.version();
        VectorizationProvider vp = VectorizationProvider.getInstance();
        int cores = Runtime.getRuntime().availableProcessors();
        int threads = CpuBackend.defaultThreads();

        out.println("fusedstep " + version());
        out.println("Java:           " + v + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")");
        out.println("Machine:        " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                + ", " + cores + (cores == 1 ? " CPU" : " CPUs"));
        out.println("Vector API:     " + (vp.vectorized()
                ? "in use, " + vp.floatLanes() * Float.SIZE + "-bit species (" + vp.floatLanes() + " float lanes)"
                : "not in use: " + vp.describe()));
        out.println("Worker threads: " + threads
                + (System.getProperty("fusedstep.threads") == null ? " (all CPUs; -Dfusedstep.threads=N to change)"
                        : " (-Dfusedstep.threads)"));
        CudaBackend.Availability gpu = CudaBackend.availability();
        out.println("GPU backend:    " + gpuLine(gpu));
        if (gpu.available()) {
            for (int d = 0; d < gpu.probe().deviceCount(); d++) {
                out.println("GPU " + d + ":          " + deviceLine(d));
            }
        }
        out.println("cuBLAS:         " + cublasLine());
        return 0;
    }

    /** The device's name, architecture, SMs, memory and L2, or why they could not be read. */
    private static String deviceLine(int ordinal) {
        try {
            return CudaDeviceInfo.query(ordinal).describe();
        } catch (RuntimeException e) {
            return "could not be queried: " + e.getMessage();
        }
    }

    /** cuBLAS's version where the library loads (it needs no GPU to say so), else why not. */
    static String cublasLine() {
        if (!Cublas.library().isLoaded()) {
            return "unavailable: " + Cublas.library().missingReason().orElse("not loaded");
        }
        try {
            return Cublas.version() + " (" + Cublas.library().location().orElse("loaded") + ")";
        } catch (RuntimeException e) {
            return "loaded, but its version could not be read: " + e.getMessage();
        }
    }

    /**
     * What the CUDA backend found: the kernels (fatbin), the runtime and a device, or why not.
     */
    static String gpuLine(CudaBackend.Availability a) {
        return a.available()
                ? "CUDA usable (" + a.reason() + ")"
                : "unavailable: " + a.reason();
    }

    private static String version() {
        String v = InfoCommand.class.getPackage().getImplementationVersion();
        return v != null ? v : "(development build)";
    }
}
