package dev.fusedstep.bench;

import com.sun.management.ThreadMXBean;
import dev.fusedstep.optim.Optimizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Several storage layouts of one rule stepped in turn in one JVM, as a model with float32 and
 * half parameters steps them: per layout, the best thread CPU time per parameter and the bytes
 * allocated per step. JMH forks a JVM per layout, so it never shows what one layout's loops do to
 * another's compilation; this does (C2 boxing the vectors of one, or a shared loop compiled
 * worse). Not a benchmark to quote: one thread, no forks, best of rounds.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *       -cp bench/target/benchmarks.jar dev.fusedstep.bench.MixedLayouts 65536 12 adamw f32,f16
 * </pre>
 */
public final class MixedLayouts {
    private MixedLayouts() {}

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: MixedLayouts <size> <rounds> <rule> <layout,layout,...>");
            System.exit(2);
        }
        int size = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        String rule = args[2];
        String[] layouts = args[3].split(",");
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        Optimizer[] optimizers = new Optimizer[layouts.length];
        try (Arena arena = Arena.ofShared()) {
            for (int k = 0; k < layouts.length; k++) {
                Layout layout = Layout.of(layouts[k]);
                MemorySegment param = Buffers.of(arena, size, layout.paramDtype(), Buffers.PARAM);
                MemorySegment grad = Buffers.of(arena, size, layout.paramDtype(), Buffers.GRAD);
                Buffers.fill(param, layout.paramDtype(), 1, -1f, 1f);
                Buffers.fill(grad, layout.paramDtype(), 2, -1f, 1f);
                optimizers[k] = Library.optimizer(BenchRules.of(rule), layout, param, grad, true, 1);
            }
            int steps = Math.max(1, (1 << 26) / size); // ~64M parameters per measurement
            double[] best = new double[layouts.length];
            long[] allocated = new long[layouts.length];
            Arrays.fill(best, Double.MAX_VALUE);
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < layouts.length; k++) {
                    long bytes = threads.getCurrentThreadAllocatedBytes();
                    long start = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < steps; i++) {
                        optimizers[k].step();
                    }
                    long nanos = threads.getCurrentThreadCpuTime() - start;
                    allocated[k] = (threads.getCurrentThreadAllocatedBytes() - bytes) / steps;
                    best[k] = Math.min(best[k], nanos / (double) steps / size);
                }
            }
            StringBuilder line = new StringBuilder(String.format("%-16s %9d", rule, size));
            for (int k = 0; k < layouts.length; k++) {
                line.append(String.format("  %s %.3f ns/param (%d B/step)", layouts[k], best[k], allocated[k]));
            }
            System.out.println(line);
        } finally {
            for (Optimizer o : optimizers) {
                if (o != null) {
                    o.close();
                }
            }
        }
    }
}
