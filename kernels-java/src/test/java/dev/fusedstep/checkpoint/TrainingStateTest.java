package dev.fusedstep.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.amp.GradScaler;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.SGD;
import dev.fusedstep.schedule.CosineAnnealingLR;
import dev.fusedstep.schedule.LrSchedule;
import dev.fusedstep.schedule.LrScheduler;
import dev.fusedstep.schedule.OneCycleLR;
import dev.fusedstep.schedule.ReduceLROnPlateau;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The combined state: optimizer, schedule position and loss scaler resume bit-exactly, with
 * skipped (non-finite) steps in the run, so the scale and growth tracker matter.
 */
class TrainingStateTest {
    private static final int N = 7;
    private static final int M = 6;
    private static final Runs.Layout LAYOUT = Runs.LAYOUTS.get(6); // bf16 + master + stochastic rounding

    @TempDir
    Path dir;

    /** One training step: gradients, an infinity every fourth step, the scaled step, the schedule. */
    private static void train(Optimizer opt, Runs.Model m, GradScaler scaler, LrScheduler sched, int from, int to) {
        for (int s = from; s < to; s++) {
            m.gradients(s);
            if (s % 4 == 2) {
                m.grads[1].segment().set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) 0x7f80); // BF16 +inf
            }
            scaler.step(opt);
            sched.step();
        }
    }

    private static GradScaler scaler() {
        return new GradScaler(1024, 2, 0.5, 3);
    }

    @Test
    void optimizerScheduleAndScalerResumeBitExactly() throws IOException {
        OptimizerRule rule = new AdamW().withLr(0.01);
        LrSchedule schedule = new OneCycleLR(0.05, N + M);
        Path file = dir.resolve("run.safetensors");
        byte[] expected;
        GradScaler refScaler = scaler();
        try (Runs.Model m = new Runs.Model(LAYOUT.dtype(), 5); Optimizer opt = Runs.build(m, rule, LAYOUT.precision())) {
            LrScheduler sched = new LrScheduler(opt, schedule);
            train(opt, m, refScaler, sched, 0, N + M);
            expected = Runs.snapshot(opt, m);
        }
        Runs.Model resumed;
        try (Runs.Model m = new Runs.Model(LAYOUT.dtype(), 5); Optimizer opt = Runs.build(m, rule, LAYOUT.precision())) {
            LrScheduler sched = new LrScheduler(opt, schedule);
            GradScaler scaler = scaler();
            train(opt, m, scaler, sched, 0, N);
            TrainingState.of(opt).withScheduler(sched).withScaler(scaler).save(file);
            resumed = m.copy();
        }
        try (Runs.Model m = resumed; Optimizer opt = Runs.build(m, rule.withLr(0.3), LAYOUT.precision())) {
            LrScheduler sched = new LrScheduler(opt, schedule);
            GradScaler scaler = scaler();
            TrainingState.of(opt).withScheduler(sched).withScaler(scaler).load(file);
            assertEquals(N, sched.lastStep());
            train(opt, m, scaler, sched, N, N + M);
            assertArrayEquals(expected, Runs.snapshot(opt, m));
            assertEquals(refScaler.scale(), scaler.scale());
            assertEquals(refScaler.growthTracker(), scaler.growthTracker());
        }
    }

    @Test
    void plateauCountersResume() throws IOException {
        Path file = dir.resolve("plateau.safetensors");
        double[] metrics = {5, 4, 4.5, 4.2, 4.1, 4.3, 4.4, 4.6, 3, 3.5, 3.6, 3.7};
        double[] expectedLrs = new double[metrics.length];
        try (Runs.Model m = new Runs.Model(Runs.LAYOUTS.get(0).dtype(), 1);
                Optimizer opt = Runs.build(m, new SGD(0.1, 0.9, 0, 0, false, false), Runs.LAYOUTS.get(0).precision())) {
            ReduceLROnPlateau p = plateau(opt);
            for (int s = 0; s < metrics.length; s++) {
                p.step(metrics[s]);
                expectedLrs[s] = opt.groups().get(1).lr();
            }
        }
        try (Runs.Model m = new Runs.Model(Runs.LAYOUTS.get(0).dtype(), 1);
                Optimizer opt = Runs.build(m, new SGD(0.1, 0.9, 0, 0, false, false), Runs.LAYOUTS.get(0).precision())) {
            ReduceLROnPlateau p = plateau(opt);
            for (int s = 0; s < 5; s++) {
                p.step(metrics[s]);
            }
            TrainingState.of(opt).withScheduler(p).save(file);
        }
        try (Runs.Model m = new Runs.Model(Runs.LAYOUTS.get(0).dtype(), 1);
                Optimizer opt = Runs.build(m, new SGD(0.1, 0.9, 0, 0, false, false), Runs.LAYOUTS.get(0).precision())) {
            ReduceLROnPlateau p = plateau(opt);
            TrainingState.of(opt).withScheduler(p).load(file);
            assertEquals(5, p.lastStep());
            for (int s = 5; s < metrics.length; s++) {
                p.step(metrics[s]);
                assertEquals(expectedLrs[s], opt.groups().get(1).lr(), "lr after metric " + s);
            }
        }
    }

    private static ReduceLROnPlateau plateau(Optimizer opt) {
        return new ReduceLROnPlateau(opt, ReduceLROnPlateau.Mode.MIN, 0.5, 1, 1e-4, ReduceLROnPlateau.ThresholdMode.REL, 1, 0, 1e-8);
    }

    @Test
    void askingForStateTheFileDoesNotHoldIsRefusedAndChangesNothing() throws IOException {
        Path file = dir.resolve("optimizer-only.safetensors");
        try (Runs.Model m = new Runs.Model(Runs.LAYOUTS.get(0).dtype(), 1);
                Optimizer opt = Runs.build(m, new AdamW(), Runs.LAYOUTS.get(0).precision())) {
            Runs.train(opt, m, 0, 2);
            opt.save(file);
        }
        try (Runs.Model m = new Runs.Model(Runs.LAYOUTS.get(0).dtype(), 1);
                Optimizer opt = Runs.build(m, new AdamW(), Runs.LAYOUTS.get(0).precision())) {
            LrScheduler sched = new LrScheduler(opt, new CosineAnnealingLR(10, 0));
            GradScaler scaler = scaler();
            byte[] before = Runs.snapshot(opt, m);
            CheckpointException ex = assertThrows(CheckpointException.class,
                    () -> TrainingState.of(opt).withScheduler(sched).withScaler(scaler).load(file));
            assertTrue(ex.getMessage().contains("scheduler"), ex.getMessage());
            assertArrayEquals(before, Runs.snapshot(opt, m));
            assertEquals(0, sched.lastStep());
            ex = assertThrows(CheckpointException.class, () -> TrainingState.of(opt).withScaler(scaler).load(file));
            assertTrue(ex.getMessage().contains("scaler"), ex.getMessage());
            assertArrayEquals(before, Runs.snapshot(opt, m));
        }
    }

    @Test
    void anotherScheduleOrScalerSettingIsRefused() throws IOException {
        Path file = dir.resolve("cosine.safetensors");
        try (Runs.Model m = new Runs.Model(Runs.LAYOUTS.get(0).dtype(), 1);
                Optimizer opt = Runs.build(m, new AdamW(), Runs.LAYOUTS.get(0).precision())) {
            LrScheduler sched = new LrScheduler(opt, new CosineAnnealingLR(10, 0));
            Runs.train(opt, m, 0, 2);
            sched.step();
            TrainingState.of(opt).withScheduler(sched).withScaler(scaler()).save(file);
        }
        try (Runs.Model m = new Runs.Model(Runs.LAYOUTS.get(0).dtype(), 1);
                Optimizer opt = Runs.build(m, new AdamW(), Runs.LAYOUTS.get(0).precision())) {
            LrScheduler other = new LrScheduler(opt, new OneCycleLR(0.1, 100));
            byte[] before = Runs.snapshot(opt, m);
            CheckpointException ex = assertThrows(CheckpointException.class,
                    () -> TrainingState.of(opt).withScheduler(other).load(file));
            assertTrue(ex.getMessage().contains("CosineAnnealingLR") && ex.getMessage().contains("OneCycleLR"), ex.getMessage());
            assertArrayEquals(before, Runs.snapshot(opt, m));
            ex = assertThrows(CheckpointException.class,
                    () -> TrainingState.of(opt).withScaler(new GradScaler(1024, 2, 0.5, 2000)).load(file));
            assertTrue(ex.getMessage().contains("growth_interval"), ex.getMessage());
            assertArrayEquals(before, Runs.snapshot(opt, m));
        }
    }
}
