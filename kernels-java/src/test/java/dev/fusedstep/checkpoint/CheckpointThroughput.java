package dev.fusedstep.checkpoint;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Prints save and load throughput for the state of a 16M-parameter AdamW (exp_avg and exp_avg_sq,
 * 128 MiB): the best of a few runs, each save fsynced (so the disk is in the number), each load
 * from the page cache. Run by hand, not by the test suite:
 * <pre>
 *   java -cp kernels-java/target/classes:kernels-java/target/test-classes:bindings/target/classes \
 *       dev.fusedstep.checkpoint.CheckpointThroughput [folder] [parameters] [runs]
 * </pre>
 */
public final class CheckpointThroughput {
    private CheckpointThroughput() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        long n = args.length > 1 ? Long.parseLong(args[1]) : 16L << 20;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path file = dir.resolve("throughput.safetensors");
        try (Arena arena = Arena.ofShared()) {
            Tensor w = Tensor.allocate(arena, DType.F32, n);
            Tensor g = Tensor.allocate(arena, DType.F32, n);
            try (Optimizer opt = Optimizer.builder().group(new AdamW(), Param.of("w", w, g)).build()) {
                opt.step();
                double bestSave = Double.MAX_VALUE;
                double bestLoad = Double.MAX_VALUE;
                for (int r = 0; r < runs; r++) {
                    long t0 = System.nanoTime();
                    opt.save(file);
                    long t1 = System.nanoTime();
                    opt.load(file);
                    long t2 = System.nanoTime();
                    bestSave = Math.min(bestSave, (t1 - t0) / 1e9);
                    bestLoad = Math.min(bestLoad, (t2 - t1) / 1e9);
                }
                double mb = Files.size(file) / 1e6;
                System.out.printf(Locale.ROOT, "%d parameters, file %.1f MB: save %.0f MB/s (%.3f s, fsync included), load %.0f MB/s (%.3f s, checksum + copy)%n",
                        n, mb, mb / bestSave, bestSave, mb / bestLoad, bestLoad);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
