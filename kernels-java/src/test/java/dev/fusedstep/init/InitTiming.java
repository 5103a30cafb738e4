package dev.fusedstep.init;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Locale;

/**
 * Prints the time of the initializers on 16M elements, scalar and vector, on 1 and 2 threads:
 * warm-up, then the median of N runs (System.nanoTime). Run by hand, not by the test suite
 * (a JMH suite is bench/'s job; this is a quick check while tuning):
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp kernels-java/target/classes:kernels-java/target/test-classes:bindings/target/classes \
 *       dev.fusedstep.init.InitTiming [elements] [runs] [dtypes: F32,BF16,F16] [kinds: uniform,normal,constant,trunc]
 * </pre>
 */
public final class InitTiming {
    private InitTiming() {}

    private interface Call {
        void run(CpuBackend backend, Tensor t);
    }

    // A shared arena: the pool runs a confined segment on the calling thread only.
    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 1L << 24;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 11;
        String[] dtypes = (args.length > 2 ? args[2] : "F32").split(",");
        String[] kinds = (args.length > 3 ? args[3] : "uniform,normal,constant").split(",");
        boolean vectorAvailable = VectorizationProvider.getInstance().vectorized();
        RandomStream rng = new RandomStream(12345, 7);
        System.out.printf(Locale.ROOT, "%,d elements, median of %d; %s; load %s%n", n, runs,
                VectorizationProvider.getInstance().describe(), loadAverage());
        try (Arena arena = Arena.ofShared()) {
            for (String dtypeName : dtypes) {
                DType dtype = DType.valueOf(dtypeName);
                Tensor t = Tensor.allocate(arena, dtype, n);
                for (String kind : kinds) {
                    Call call = switch (kind) {
                        case "uniform" -> (b, x) -> Init.uniform(b, x, -1, 1, rng);
                        case "normal" -> (b, x) -> Init.normal(b, x, 0, 1, rng);
                        case "trunc" -> (b, x) -> Init.truncNormal(b, x, 0, 1, -2, 2, rng);
                        case "constant" -> (b, x) -> Init.constant(x, 0.5); // the shared backend
                        default -> throw new IllegalArgumentException("kind: got " + kind
                                + ", expected uniform, normal, constant or trunc");
                    };
                    for (int threads = 1; threads <= 2; threads++) {
                        for (boolean vectorized : new boolean[] {false, true}) {
                            if (vectorized && !vectorAvailable) {
                                continue;
                            }
                            try (CpuBackend backend = new CpuBackend(vectorized, threads)) {
                                double ms = medianMillis(() -> call.run(backend, t), runs);
                                System.out.printf(Locale.ROOT, "%-8s %-4s threads %d %-6s %8.2f ms%n", kind, dtype,
                                        threads, vectorized ? "vector" : "scalar", ms);
                            }
                        }
                    }
                }
            }
        }
        System.out.println("load after: " + loadAverage());
    }

    private static double medianMillis(Runnable r, int runs) {
        for (int i = 0; i < Math.max(3, runs / 2); i++) {
            r.run();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[runs / 2];
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
