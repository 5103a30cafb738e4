package dev.fusedstep.cli;

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
        out.println("GPU backend:    " + gpuLine(CudaBackend.availability()));
        return 0;
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
