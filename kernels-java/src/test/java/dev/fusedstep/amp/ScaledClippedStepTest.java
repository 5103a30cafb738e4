package dev.fusedstep.amp;

import static dev.fusedstep.amp.AmpFixtures.bytes;
import static dev.fusedstep.amp.AmpFixtures.floats;
import static dev.fusedstep.amp.AmpFixtures.gaussian;
import static dev.fusedstep.amp.AmpFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.clip.GradClipping;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.Precision;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A scaled, clipped step ({@link GradScaler#step(Optimizer, double, double)}) is, bit for bit with a
 * power-of-two scale, PyTorch's sequence: unscale the gradients, clip them with
 * {@link GradClipping#clipGradNorm}, step. And it never writes a gradient: the norm pass only
 * reads them and the step kernel folds 1/scale and the clip coefficient into its multiplier.
 */
class ScaledClippedStepTest {

    private static final int[] SIZES = {40_100, 513, 7};
    private static final int STEPS = 4;
    private static final float SCALE = 1024f;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (OptimizerRule rule : AmpFixtures.everyOptimizer()) {
            for (double normType : new double[] {GradClipping.L2, GradClipping.INF, 1.0}) {
                for (double maxNorm : new double[] {0.05, 1e6}) { // clips at every step / never clips
                    for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                        out.add(Arguments.of(rule, normType, maxNorm, dtype));
                    }
                }
            }
        }
        return out.stream();
    }

    /**
     * For F32 the scaled run is compared with the unscaled, clipped float32 run. For BF16 and F16
     * gradients (master weights) the master trajectory is compared with a float32 run fed the
     * widened half gradients, unscaled and clipped in float32: the fused step never rounds the
     * unscaled, clipped gradient back to half.
     */
    @ParameterizedTest(name = "{0} p={1} max_norm={2} {3}")
    @MethodSource("cases")
    void equalsUnscaleThenClipThenStep(OptimizerRule rule, double normType, double maxNorm, DType dtype) {
        Random rnd = new Random(5);
        try (Arena arena = Arena.ofShared()) {
            List<float[]> p0 = new ArrayList<>();
            for (int n : SIZES) {
                p0.add(AmpFixtures.rounded(dtype, gaussian(rnd, n, 1)));
            }
            Precision precision = dtype == DType.F32 ? Precision.defaults() : Precision.masterWeights();
            List<Tensor> scaledParams = new ArrayList<>(), scaledGrads = new ArrayList<>();
            List<Tensor> refParams = new ArrayList<>(), refGrads = new ArrayList<>();
            List<Param> scaledList = new ArrayList<>(), refList = new ArrayList<>();
            for (int i = 0; i < SIZES.length; i++) {
                scaledParams.add(tensor(arena, dtype, p0.get(i)));
                scaledGrads.add(Tensor.allocate(arena, dtype, SIZES[i]));
                refParams.add(tensor(arena, DType.F32, p0.get(i)));
                refGrads.add(Tensor.allocate(arena, DType.F32, SIZES[i]));
                scaledList.add(Param.of("t" + i, scaledParams.get(i), scaledGrads.get(i)));
                refList.add(Param.of("t" + i, refParams.get(i), refGrads.get(i)));
            }
            try (Optimizer scaled = Optimizer.builder().group(rule, precision, scaledList).build();
                    Optimizer ref = Optimizer.builder().group(rule, refList).build()) {
                GradScaler scaler = new GradScaler(SCALE, 2, 0.5, 1000);
                for (int t = 1; t <= STEPS; t++) {
                    for (int i = 0; i < SIZES.length; i++) {
                        float[] g = AmpFixtures.rounded(dtype, gaussian(rnd, SIZES[i], 0.1 * SCALE));
                        AmpFixtures.fill(scaledGrads.get(i), g);
                        float[] unscaled = floats(scaledGrads.get(i));
                        for (int k = 0; k < unscaled.length; k++) {
                            unscaled[k] /= SCALE; // exact: a power of two, far from the subnormals
                        }
                        refGrads.get(i).copyFrom(unscaled);
                    }
                    List<byte[]> gradsBefore = scaledGrads.stream().map(AmpFixtures::bytes).toList();

                    assertTrue(scaler.step(scaled, maxNorm, normType));
                    double refTotal = GradClipping.clipGradNorm(refGrads, maxNorm, normType);
                    ref.step();

                    for (int i = 0; i < SIZES.length; i++) {
                        assertArrayEquals(gradsBefore.get(i), bytes(scaledGrads.get(i)), "step " + t + ": grad t" + i + " was written");
                        Tensor ours = dtype == DType.F32 ? scaledParams.get(i) : scaled.masterWeights("t" + i);
                        assertArrayEquals(bytes(refParams.get(i)), bytes(ours), "step " + t + ": param t" + i);
                        for (String state : rule.stateNames()) {
                            assertArrayEquals(bytes(ref.state("t" + i, state)), bytes(scaled.state("t" + i, state)),
                                    "step " + t + ": state " + state + " of t" + i);
                        }
                    }
                    assertEquals(refTotal, scaler.lastNorm(), "step " + t + ": the unscaled norm is the clipped run's norm");
                    assertEquals(SCALE, scaler.scale());
                }
            }
        }
    }
}
