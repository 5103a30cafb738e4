package dev.fusedstep.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.Adam;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.Precision;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A well-formed checkpoint of another run is refused with a message naming what differs, and
 * the optimizer it was loaded into keeps every bit.
 */
class MismatchTest {
    @TempDir
    Path dir;

    private Path f32File;
    private Path seededFile;

    @BeforeEach
    void save() throws IOException {
        f32File = dir.resolve("f32.safetensors");
        seededFile = dir.resolve("seeded.safetensors");
        try (Runs.Model m = new Runs.Model(DType.F32, 1); Optimizer opt = Runs.build(m, new AdamW(), Precision.defaults())) {
            Runs.train(opt, m, 0, 2);
            opt.save(f32File);
        }
        try (Runs.Model m = new Runs.Model(DType.BF16, 1);
                Optimizer opt = Runs.build(m, new AdamW(), Precision.masterWeights().withStochasticRounding(7))) {
            Runs.train(opt, m, 0, 2);
            opt.save(seededFile);
        }
    }

    /** Loads {@code file} into the optimizer {@code build} makes over a fresh model; expects refusal naming every fragment. */
    private static void refused(Path file, DType dtype, Function<Runs.Model, Optimizer> build, String... fragments) {
        try (Runs.Model m = new Runs.Model(dtype, 2); Optimizer opt = build.apply(m)) {
            Runs.train(opt, m, 0, 1);
            byte[] before = Runs.snapshot(opt, m);
            CheckpointException ex = assertThrows(CheckpointException.class, () -> opt.load(file));
            for (String f : fragments) {
                assertTrue(ex.getMessage().contains(f), "message names '" + f + "': " + ex.getMessage());
            }
            assertArrayEquals(before, Runs.snapshot(opt, m), "the optimizer changed");
        }
    }

    @Test
    void anotherOptimizer() {
        refused(f32File, DType.F32, m -> Runs.build(m, new Adam(), Precision.defaults()), "AdamW", "expected Adam");
    }

    @Test
    void sameOptimizerOtherStateBuffers() {
        refused(f32File, DType.F32, m -> Runs.build(m, new AdamW().withAmsgrad(true), Precision.defaults()), "max_exp_avg_sq");
    }

    @Test
    void anotherParameterCount() {
        refused(f32File, DType.F32, m -> {
            Param[] p = m.named();
            return Optimizer.builder().group(new AdamW(), Precision.defaults(), p[0]).group(new AdamW(), Precision.defaults(), p[2]).build();
        }, "group 0", "holds 2 parameters, expected 1");
    }

    @Test
    void anotherGroupCount() {
        refused(f32File, DType.F32, m -> Optimizer.builder().group(new AdamW(), Precision.defaults(), m.named()).build(),
                "2 parameter groups", "expected 1");
    }

    @Test
    void anotherShape() {
        refused(f32File, DType.F32, m -> {
            Param[] p = m.named();
            Tensor w = Tensor.of(m.params[0].segment(), DType.F32, 31, 33);
            Tensor g = Tensor.of(m.grads[0].segment(), DType.F32, 31, 33);
            return Optimizer.builder().group(new AdamW(), Precision.defaults(), Param.of(p[0].name(), w, g), p[1])
                    .group(new AdamW(), Precision.defaults(), p[2]).build();
        }, "state.0.exp_avg", "[33, 31]", "[31, 33]");
    }

    @Test
    void anotherName() {
        refused(f32File, DType.F32, m -> {
            Param[] p = m.named();
            return Optimizer.builder().group(new AdamW(), Precision.defaults(), p[0], Param.of("fc.b", p[1].param(), p[1].grad()))
                    .group(new AdamW(), Precision.defaults(), p[2]).build();
        }, "fc.bias", "fc.b'");
    }

    @Test
    void anotherParameterDtype() {
        refused(f32File, DType.BF16, m -> Runs.build(m, new AdamW(), Precision.defaults()), "F32", "BF16");
    }

    @Test
    void anotherStateDtype() {
        refused(f32File, DType.F32, m -> Runs.build(m, new AdamW(), Precision.states(DType.BF16)), "state_dtype");
    }

    @Test
    void anotherStochasticRoundingSeed() {
        refused(seededFile, DType.BF16, m -> Runs.build(m, new AdamW(), Precision.masterWeights().withStochasticRounding(8)),
                "seed 7 in the file, 8 here");
    }

    @Test
    void withoutMasterWeights() {
        refused(seededFile, DType.BF16, m -> Runs.build(m, new AdamW(), Precision.defaults().withStochasticRounding(7)),
                "master_weights true in the file, false here");
    }

    @Test
    void closedOptimizerIsRefusedByName() throws IOException {
        try (Runs.Model m = new Runs.Model(DType.F32, 2)) {
            Optimizer opt = Runs.build(m, new AdamW(), Precision.defaults());
            opt.close();
            IllegalStateException ex = assertThrows(IllegalStateException.class, () -> opt.load(f32File));
            assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
            ex = assertThrows(IllegalStateException.class, () -> opt.save(dir.resolve("x.safetensors")));
            assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
        }
    }

    @Test
    void notACheckpoint() throws IOException {
        Path plain = dir.resolve("plain.safetensors");
        try (Arena a = Arena.ofConfined()) {
            dev.fusedstep.io.SafeTensors.write(plain, java.util.Map.of("x", Tensor.allocate(a, DType.F32, 4)), null);
        }
        refusedFile(plain, "format is missing");
    }

    private static void refusedFile(Path file, String fragment) {
        refused(file, DType.F32, m -> Runs.build(m, new AdamW(), Precision.defaults()), fragment);
    }
}
