package dev.fusedstep.internal.cuda;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.amp.GradScaler;
import dev.fusedstep.clip.GradClipping;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The loss scaler's kernels (tensor/amp.cu) on the host, step by step against amp.GradScaler
 * driving a CPU optimizer over the same gradients: found-inf from the norm pass, the gradient
 * multiplier (1/scale, times the clip coefficient of the unscaled norm), and the scale and growth
 * tracker after every update, bit for bit, through growth, backoff, the float32 overflow rule and
 * the Float.MIN_NORMAL floor.
 */
class HostEmulationAmpTest {

    private static final int N = 1000;

    /** A GradScaler and the device-side state the kernels keep, over one gradient in host memory. */
    private static final class Rig implements AutoCloseable {
        final HostEmulation emu;
        final Arena arena = Arena.ofConfined();
        final GradScaler cpu;
        final Optimizer opt;
        final MemorySegment grad = arena.allocate(4L * N, 16);
        final MemorySegment table = arena.allocate(DeviceLayouts.TENSOR_ROW.byteSize(), 16);
        final long chunks = TensorTable.writeRows(table, List.<MemorySegment[]>of(new MemorySegment[] {grad}), new long[] {N});
        final MemorySegment partials = arena.allocate(8 * chunks, 16);
        final MemorySegment total = arena.allocate(8, 8);
        final MemorySegment unscaled = arena.allocate(8, 8);
        final MemorySegment scale = arena.allocate(4, 4);
        final MemorySegment tracker = arena.allocate(4, 4);
        final MemorySegment foundInf = arena.allocate(4, 4);
        final MemorySegment multiplier = arena.allocate(4, 4);
        final Random random;

        Rig(HostEmulation emu, double initScale, double growth, double backoff, int interval, long seed) {
            this.emu = emu;
            this.cpu = new GradScaler(initScale, growth, backoff, interval);
            this.opt = Optimizer.builder().group(new AdamW(), Param.of("p", Tensor.of(new float[N]),
                    Tensor.of(grad, DType.F32, N))).build();
            this.random = new Random(seed);
            scale.set(JAVA_FLOAT, 0, cpu.scale());
            tracker.set(JAVA_INT, 0, 0);
        }

        /**
         * One GradScaler step (clipping when {@code maxNorm > 0}) with finite or non-finite
         * gradients, and the kernels' version of it; asserts they agree.
         */
        void step(boolean finite, double maxNorm, double normType, String what) {
            float scaleBefore = cpu.scale();
            float magnitude = Math.min(scaleBefore, 1e6f);  // scaled gradients stay finite when meant to
            for (int i = 0; i < N; i++) {
                grad.setAtIndex(JAVA_FLOAT, i, (float) random.nextGaussian() * magnitude);
            }
            if (!finite) {
                grad.setAtIndex(JAVA_FLOAT, random.nextInt(N), random.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY);
            }
            foundInf.set(JAVA_FLOAT, 0, 0f);
            emu.norm(1, table, 1, chunks, DeviceOps.normKind(normType), normType, MemorySegment.NULL, partials, total,
                    foundInf);
            emu.amp().multiplier(scale, total, maxNorm > 0 ? maxNorm : 0, multiplier, unscaled);
            boolean stepped = maxNorm > 0 ? cpu.step(opt, maxNorm, normType) : cpu.step(opt);

            assertEquals(finite, stepped, what + ": the script");
            assertEquals(stepped ? 0f : 1f, foundInf.get(JAVA_FLOAT, 0), what + ": found_inf");
            double unscaledNorm = unscaled.get(JAVA_DOUBLE, 0);
            assertEquals(total.get(JAVA_DOUBLE, 0) / scaleBefore, unscaledNorm, 0, what + ": unscaled norm = total / scale");
            if (stepped) {
                assertEquals(cpu.lastNorm(), unscaledNorm, 1e-12 * cpu.lastNorm(), what + ": unscaled norm vs GradScaler");
                float expected = (float) (1.0 / scaleBefore);
                if (maxNorm > 0) {
                    expected *= GradClipping.clipCoefficient(maxNorm, unscaledNorm);
                }
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(multiplier.get(JAVA_FLOAT, 0)),
                        what + ": multiplier " + multiplier.get(JAVA_FLOAT, 0) + ", expected " + expected);
            }
            emu.amp().updateScale(scale, tracker, foundInf, cpu.growthFactor(), cpu.backoffFactor(), cpu.growthInterval());
            assertEquals(Float.floatToRawIntBits(cpu.scale()), Float.floatToRawIntBits(scale.get(JAVA_FLOAT, 0)),
                    what + ": scale " + scale.get(JAVA_FLOAT, 0) + ", expected " + cpu.scale());
            assertEquals(cpu.growthTracker(), tracker.get(JAVA_INT, 0), what + ": growth tracker");
        }

        void steps(boolean[] finite, String what) {
            for (int t = 0; t < finite.length; t++) {
                step(finite[t], 0, GradClipping.L2, what + " step " + t);
            }
        }

        @Override
        public void close() {
            opt.close();
            arena.close();
        }
    }

    @Test
    void growsBacksOffAndResetsTheTrackerAsGradScaler() {
        try (Rig rig = new Rig(emulation(), 8, 2, 0.5, 3, 1)) {
            rig.steps(new boolean[] {true, true, true, true, false, true, true, false, true, true, true, false, false},
                    "interval 3");
            assertEquals(2f, rig.cpu.scale(), "the hand-worked end of GradScalerStateTest's sequence");
        }
    }

    @Test
    void factorsThatAreNotPowersOfTwoRoundToFloat32() {
        try (Rig rig = new Rig(emulation(), 65536, 3, 0.3, 1, 2)) {
            rig.steps(new boolean[] {false, true, true, false, false, true, false, true, true, true}, "growth 3, backoff 0.3");
        }
    }

    @Test
    void theScaleStaysWhenGrowthWouldOverflowFloat32() {
        try (Rig rig = new Rig(emulation(), Math.scalb(1.0, 127), 2, 0.5, 1, 3)) {
            rig.steps(new boolean[] {true, true, false, true, true}, "at 2^127");
            assertEquals(Math.scalb(1f, 127), rig.cpu.scale());
        }
        try (Rig rig = new Rig(emulation(), 3e38, 1.5, 0.5, 2, 4)) {
            rig.steps(new boolean[] {true, true, true, true}, "at 3e38");
        }
    }

    @Test
    void theScaleNeverBacksOffBelowTheSmallestNormalFloat() {
        try (Rig rig = new Rig(emulation(), Math.scalb(1.0, -125), 2, 0.5, 100, 5)) {
            rig.steps(new boolean[] {false, false, true, false, true}, "near 2^-126");
            assertEquals(Float.MIN_NORMAL, rig.cpu.scale());
        }
        try (Rig rig = new Rig(emulation(), 1e-37, 4, 0.3, 2, 6)) {  // 1e-37 * 0.3 is subnormal: floored
            rig.steps(new boolean[] {false, false, true, true, true, false}, "backoff 0.3 near the floor");
        }
    }

    @Test
    void aLongRandomScriptWithClippingAgreesAtEveryStep() {
        Random r = new Random(7);
        double[] normTypes = {GradClipping.L2, GradClipping.INF, 1.0, 3.0};
        try (Rig rig = new Rig(emulation(), 1000, 1.7, 0.45, 3, 8)) {
            for (int t = 0; t < 300; t++) {
                boolean clip = r.nextBoolean();
                double normType = normTypes[r.nextInt(normTypes.length)];
                double maxNorm = clip ? 0.5 + 40 * r.nextDouble() : 0;
                rig.step(r.nextInt(5) != 0, maxNorm, clip ? normType : GradClipping.L2, "random step " + t);
            }
        }
    }

    private static HostEmulation emulation() {
        var e = HostEmulation.get();
        assumeTrue(e.isPresent(), HostEmulation::whyUnavailable);
        return e.get();
    }
}
