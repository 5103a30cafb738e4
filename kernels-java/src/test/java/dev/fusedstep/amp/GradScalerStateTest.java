package dev.fusedstep.amp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.Tensor;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import org.junit.jupiter.api.Test;

/** The scale and growth tracker against sequences worked by hand from PyTorch's {@code _amp_update_scale_}. */
class GradScalerStateTest {

    private final float[] param = {1, -2, 3, -4};
    private final float[] grad = {0.5f, 0.25f, -1, 2};

    private Optimizer optimizer() {
        return Optimizer.builder().group(new AdamW(), Param.of("p", Tensor.of(param), Tensor.of(grad))).build();
    }

    /** One step of the scaler with finite (true) or infinite (false) gradients; returns whether it stepped. */
    private boolean stepWith(GradScaler s, Optimizer opt, boolean finite) {
        grad[2] = finite ? -1 : Float.POSITIVE_INFINITY;
        return s.step(opt);
    }

    @Test
    void defaultsAreTorchs() {
        GradScaler s = new GradScaler();
        assertEquals(65536f, s.scale());
        assertEquals(2.0, s.growthFactor());
        assertEquals(0.5, s.backoffFactor());
        assertEquals(2000, s.growthInterval());
        assertEquals(0, s.growthTracker());
        assertTrue(Double.isNaN(s.lastNorm()));
        assertEquals(163840f, s.scaleLoss(2.5f));
    }

    @Test
    void growsAfterTheIntervalBacksOffOnInfAndResetsTheTracker() {
        // init_scale 8, growth 2, backoff 0.5, interval 3. Hand-worked (scale, tracker) after each step:
        boolean[] finite = {true, true, true, true, false, true, true, false, true, true, true, false, false};
        float[] scale = {8, 8, 16, 16, 8, 8, 8, 4, 4, 4, 8, 4, 2};
        int[] tracker = {1, 2, 0, 1, 0, 1, 2, 0, 1, 2, 0, 0, 0};
        try (Optimizer opt = optimizer()) {
            GradScaler s = new GradScaler(8, 2, 0.5, 3);
            long steps = 0;
            for (int t = 0; t < finite.length; t++) {
                assertEquals(finite[t], stepWith(s, opt, finite[t]), "step " + t);
                steps += finite[t] ? 1 : 0;
                assertEquals(scale[t], s.scale(), "scale after step " + t);
                assertEquals(tracker[t], s.growthTracker(), "tracker after step " + t);
                assertEquals(steps, opt.scalarState("p").step(), "optimizer steps after step " + t);
            }
        }
    }

    @Test
    void growthAndBackoffRoundToFloat32AsTorchDoes() {
        try (Optimizer opt = optimizer()) {
            GradScaler s = new GradScaler(65536, 3, 0.3, 1);
            stepWith(s, opt, false);
            assertEquals((float) (65536 * 0.3), s.scale()); // 19660.8 -> float32
            float before = s.scale();
            stepWith(s, opt, true);
            assertEquals((float) ((double) before * 3), s.scale());
        }
    }

    @Test
    void theScaleNeverGrowsPastFloat32() {
        try (Optimizer opt = optimizer()) {
            GradScaler s = new GradScaler(Math.scalb(1.0, 127), 2, 0.5, 1);
            stepWith(s, opt, true);
            assertEquals(Math.scalb(1f, 127), s.scale(), "2^128 overflows float32: the scale stays");
            assertEquals(0, s.growthTracker());
        }
    }

    @Test
    void theScaleNeverBacksOffBelowTheSmallestNormalFloat() {
        try (Optimizer opt = optimizer()) {
            GradScaler s = new GradScaler(Math.scalb(1.0, -125), 2, 0.5, 100);
            stepWith(s, opt, false);
            assertEquals(Float.MIN_NORMAL, s.scale());
            stepWith(s, opt, false);
            assertEquals(Float.MIN_NORMAL, s.scale());
            assertTrue(stepWith(s, opt, true), "a scale of 2^-126 still has a finite inverse");
        }
    }

    @Test
    void resumesFromScaleAndTracker() {
        try (Optimizer opt = optimizer()) {
            GradScaler s = new GradScaler().load(1024, 1999);
            assertEquals(1024f, s.scale());
            assertEquals(1999, s.growthTracker());
            stepWith(s, opt, true);
            assertEquals(2048f, s.scale());
            assertEquals(0, s.growthTracker());
        }
    }

    @Test
    void badArgumentsNameTheArgumentAndChangeNothing() {
        expect(() -> new GradScaler(65536, 1, 0.5, 2000), "growth_factor: got 1.0");
        expect(() -> new GradScaler(65536, Double.NaN, 0.5, 2000), "growth_factor: got NaN");
        expect(() -> new GradScaler(65536, Double.POSITIVE_INFINITY, 0.5, 2000), "growth_factor: got Infinity");
        expect(() -> new GradScaler(65536, 2, 1, 2000), "backoff_factor: got 1.0");
        expect(() -> new GradScaler(65536, 2, 0, 2000), "backoff_factor: got 0.0");
        expect(() -> new GradScaler(65536, 2, Double.NaN, 2000), "backoff_factor: got NaN");
        expect(() -> new GradScaler(65536, 2, 0.5, 0), "growth_interval: got 0");
        expect(() -> new GradScaler(0, 2, 0.5, 2000), "init_scale: got 0.0");
        expect(() -> new GradScaler(-1, 2, 0.5, 2000), "init_scale: got -1.0");
        expect(() -> new GradScaler(Double.NaN, 2, 0.5, 2000), "init_scale: got NaN");
        expect(() -> new GradScaler(1e39, 2, 0.5, 2000), "init_scale: got 1.0E39");
        expect(() -> new GradScaler(1e-40, 2, 0.5, 2000), "init_scale: got 1.0E-40");
        GradScaler s = new GradScaler();
        expect(() -> s.load(Double.POSITIVE_INFINITY, 0), "scale: got Infinity");
        expect(() -> s.load(1024, -1), "growthTracker: got -1");
        expect(() -> s.load(1024, 2000), "growthTracker: got 2000");
        float[] paramBefore = param.clone();
        try (Optimizer opt = optimizer()) {
            expect(() -> s.step(null), "opt: got null");
            expect(() -> s.step(opt, 0, 2), "max_norm: got 0.0");
            expect(() -> s.step(opt, -1, 2), "max_norm: got -1.0");
            expect(() -> s.step(opt, Double.NaN, 2), "max_norm: got NaN");
            expect(() -> s.step(opt, Double.POSITIVE_INFINITY, 2), "max_norm: got Infinity");
            expect(() -> s.step(opt, 1, 0), "norm_type: got 0.0");
            expect(() -> s.step(opt, 1, -2), "norm_type: got -2.0");
            assertEquals(0, opt.scalarState("p").step());
        }
        assertArrayEquals(paramBefore, param);
        assertEquals(65536f, s.scale());
        assertEquals(0, s.growthTracker());
    }

    private static void expect(org.junit.jupiter.api.function.Executable call, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(message), "message \"" + e.getMessage() + "\" lacks \"" + message + "\"");
    }
}
