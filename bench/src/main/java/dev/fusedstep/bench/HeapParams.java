package dev.fusedstep.bench;

import com.sun.management.ThreadMXBean;
import dev.fusedstep.optim.Optimizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

/**
 * One rule stepped over a float32 parameter on the Java heap ({@code float[]}, as a pure-Java
 * framework passes it) and over the same values in native memory, in turn in one JVM, one thread:
 * the best thread CPU time per parameter of each. The vector loops run on native memory in place
 * and on a heap array through native scratch (bench/README.md, "Fifth session"); this shows what
 * that costs. Not a benchmark to quote: no forks, best of rounds.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *       -cp bench/target/benchmarks.jar dev.fusedstep.bench.HeapParams 65536 10 adamw
 * </pre>
 */
public final class HeapParams {
    private HeapParams() {}

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: HeapParams <size> <rounds> <rule>");
            System.exit(2);
        }
        int size = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        String rule = args[2];
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment nativeParam = Buffers.floats(arena, size, Buffers.PARAM);
            MemorySegment nativeGrad = Buffers.floats(arena, size, Buffers.GRAD);
            Buffers.fill(nativeParam, 1, -1f, 1f);
            Buffers.fill(nativeGrad, 2, -1f, 1f);
            MemorySegment heapParam = MemorySegment.ofArray(Buffers.array(size, 1, -1f, 1f));
            MemorySegment heapGrad = MemorySegment.ofArray(Buffers.array(size, 2, -1f, 1f));
            String[] names = {"heap", "native"};
            try (Optimizer heap = Library.optimizer(BenchRules.of(rule), heapParam, heapGrad, true, 1);
                    Optimizer offHeap = Library.optimizer(BenchRules.of(rule), nativeParam, nativeGrad, true, 1)) {
                Optimizer[] optimizers = {heap, offHeap};
                int steps = Math.max(1, (1 << 26) / size); // ~64M parameters per measurement
                double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
                for (int round = 0; round < rounds; round++) {
                    for (int k = 0; k < optimizers.length; k++) {
                        long start = threads.getCurrentThreadCpuTime();
                        for (int i = 0; i < steps; i++) {
                            optimizers[k].step();
                        }
                        best[k] = Math.min(best[k], (threads.getCurrentThreadCpuTime() - start) / (double) steps / size);
                    }
                }
                System.out.printf("%-16s %9d  %s %.3f ns/param  %s %.3f ns/param%n", rule, size, names[0], best[0], names[1],
                        best[1]);
            }
        }
    }
}
