package dev.fusedstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.amp.GradScaler;
import dev.fusedstep.checkpoint.TrainingState;
import dev.fusedstep.optim.NAdam;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.Precision;
import dev.fusedstep.schedule.LrScheduler;
import dev.fusedstep.schedule.StepLR;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fusedstep inspect}: what a checkpoint holds, and a damaged one said so with exit code 1. */
class InspectCommandTest {
    @TempDir
    Path dir;

    private Path save() throws IOException {
        Path file = dir.resolve("run.safetensors");
        try (Arena arena = Arena.ofShared()) {
            Tensor w = Tensor.allocate(arena, DType.BF16, 4, 3);
            Tensor g = Tensor.allocate(arena, DType.BF16, 4, 3);
            try (Optimizer opt = Optimizer.builder()
                    .group(new NAdam().withLr(0.01), Precision.masterWeights().withStochasticRounding(5), Param.of("w", w, g))
                    .build()) {
                LrScheduler sched = new LrScheduler(opt, new StepLR(2, 0.5));
                for (int s = 0; s < 3; s++) {
                    opt.step();
                    sched.step();
                }
                TrainingState.of(opt).withScheduler(sched).withScaler(new GradScaler()).save(file);
            }
        }
        return file;
    }

    @Test
    void printsGroupsTensorsStepsAndState() throws IOException {
        MainTest.Result r = MainTest.run("inspect", save().toString());
        assertEquals(0, r.code(), r.err());
        for (String expected : new String[] {"(verified)", "group 0: NAdam, params [0] [\"w\"]", "lr=0.005", "momentum_decay=0.004",
                "\"seed\":5", "param 0:", "exp_avg_sq       F32  [4, 3]", "master_param     F32  [4, 3]", "step             F64  [] = 3",
                "mu_product", "\"schedule\":\"StepLR\"", "\"last_epoch\":3", "\"scale\":65536.0"}) {
            assertTrue(r.out().contains(expected), "output has '" + expected + "':\n" + r.out());
        }
    }

    @Test
    void damagedFileIsShownAsSuchWithExitCode1() throws IOException {
        Path file = save();
        byte[] b = Files.readAllBytes(file);
        b[b.length - 3] ^= 0x10;
        Files.write(file, b);
        MainTest.Result r = MainTest.run("inspect", file.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("MISMATCH"), r.out());

        Files.write(file, java.util.Arrays.copyOf(b, 100));
        r = MainTest.run("inspect", file.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("inspect: " + file), r.err());
    }

    @Test
    void wantsExactlyOneFile() {
        MainTest.Result r = MainTest.run("inspect");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("expected one checkpoint file"), r.err());
    }
}
