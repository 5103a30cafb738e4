package dev.fusedstep.checkpoint;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * The child process of {@link KilledSaveTest}: steps an optimizer and saves it to the same file
 * over and over, printing "saving" before each save, until it is killed.
 */
public final class SaveLoop {
    private SaveLoop() {}

    /** One float32 parameter of {@code n} elements under AdamW: the run both processes build. */
    static Optimizer build(Arena arena, long n) {
        Tensor w = Tensor.allocate(arena, DType.F32, n);
        Tensor g = Tensor.allocate(arena, DType.F32, n);
        for (long i = 0; i < n; i++) {
            w.setFloat(i, (i % 7) * 0.1f);
            g.setFloat(i, (i % 5) * 0.01f - 0.02f);
        }
        return Optimizer.builder().group(new AdamW(), Param.of("w", w, g)).build();
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        long n = Long.parseLong(args[1]);
        try (Arena arena = Arena.ofShared(); Optimizer opt = build(arena, n)) {
            while (true) {
                opt.step();
                System.out.println("saving");
                System.out.flush();
                opt.save(path);
            }
        }
    }
}
