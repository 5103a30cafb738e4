package dev.fusedstep.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.Tensor;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.SGD;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulerBindingTest {

    private static Optimizer twoGroups(double lr0, double lr1) {
        return Optimizer.builder()
                .group(new AdamW().withLr(lr0), Param.of("w", Tensor.of(new float[4]), Tensor.of(new float[4])))
                .group(new AdamW().withLr(lr1), Param.of("b", Tensor.of(new float[2]), Tensor.of(new float[2])))
                .build();
    }

    @Test
    void eachGroupFollowsTheScheduleFromItsOwnBaseLr() {
        try (Optimizer opt = twoGroups(0.1, 0.01)) {
            LrScheduler s = new LrScheduler(opt, new StepLR(2, 0.5));
            assertEquals(0.1, s.lr(0));
            s.step();
            s.step();
            assertEquals(0.05, s.lr(0), 1e-17);
            assertEquals(0.005, s.lr(1), 1e-18);
            assertEquals(0.01, s.baseLr(1));
            assertEquals(2, s.lastStep());
        }
    }

    @Test
    void resumingAtAStepNeedsNoReplay() {
        LrSchedule cosine = new CosineAnnealingLR(50, 1e-5);
        try (Optimizer a = twoGroups(0.1, 0.1); Optimizer b = twoGroups(0.1, 0.1)) {
            LrScheduler walked = new LrScheduler(a, cosine);
            for (int i = 0; i < 37; i++) {
                walked.step();
            }
            LrScheduler resumed = new LrScheduler(b, cosine, 37);
            assertEquals(walked.lr(0), resumed.lr(0));
        }
    }

    @Test
    void oneCycleCyclesBeta1() {
        try (Optimizer opt = twoGroups(0.1, 0.1)) {
            LrScheduler s = new LrScheduler(opt, new OneCycleLR(0.1, 100));
            assertEquals(0.95, ((AdamW) opt.groups().get(0).rule()).beta1(), 1e-15);
            for (int i = 0; i < 29; i++) {
                s.step();
            }
            assertEquals(0.85, ((AdamW) opt.groups().get(0).rule()).beta1(), 1e-12);
            assertEquals(0.1, s.lr(0), 1e-15);
        }
        try (Optimizer sgd = Optimizer.builder()
                .group(new SGD(), Param.of("w", Tensor.of(new float[4]), Tensor.of(new float[4]))).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new LrScheduler(sgd, new OneCycleLR(0.1, 100)));
            assertTrue(e.getMessage().contains("cycle_momentum"), e.getMessage());
        }
    }

    @Test
    void reduceOnPlateauWaitsPatienceThenCoolsDown() {
        try (Optimizer opt = twoGroups(1.0, 0.5)) {
            ReduceLROnPlateau plateau = new ReduceLROnPlateau(opt, ReduceLROnPlateau.Mode.MIN, 0.5, 2, 1e-4,
                    ReduceLROnPlateau.ThresholdMode.REL, 1, 0.3, 1e-8);
            double[] lrs = new double[9];
            for (int i = 0; i < lrs.length; i++) {
                plateau.step(1.0); // never improves after the first step
                lrs[i] = opt.groups().get(0).lr();
            }
            // bad steps 2,3,4 -> reduce at 4; cooldown swallows step 5; bad 6,7,8 -> reduce at 8 (clamped to min_lr 0.3)
            assertEquals(List.of(1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.3, 0.3),
                    java.util.Arrays.stream(lrs).boxed().toList());
            assertEquals(0.3, opt.groups().get(1).lr(), "0.5 * 0.5 = 0.25 is clamped to min_lr");
        }
    }

    @Test
    void badArgumentsNameThemselves() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StepLR(0));
        assertTrue(e.getMessage().contains("step_size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MultiStepLR(new long[] {30, 10}, 0.1));
        assertTrue(e.getMessage().contains("milestones"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SequentialLR(List.of(new LinearLR()), new long[] {10}));
        assertTrue(e.getMessage().contains("expected 0 steps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LinearLR(0, 1, 10));
        assertTrue(e.getMessage().contains("start_factor"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ExponentialLR(0.9).lr(-1, 0.1));
        assertTrue(e.getMessage().contains("step: got -1"), e.getMessage());
    }
}
