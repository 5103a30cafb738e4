package dev.fusedstep.amp;

import static dev.fusedstep.amp.AmpFixtures.differences;
import static dev.fusedstep.amp.AmpFixtures.gaussian;
import static dev.fusedstep.amp.AmpFixtures.snapshot;
import static dev.fusedstep.amp.AmpFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.Precision;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A single infinity or NaN anywhere in the gradients makes {@link GradScaler#step} skip: every
 * parameter, gradient, state, master weight and step count keeps its bits, the scale halves and
 * the growth tracker resets; the next finite step goes through.
 */
class FoundInfSkipTest {

    /** Where the bad value goes. */
    enum Place { MIDDLE_OF_LARGE_TENSOR, LAST_TENSOR_OF_A_GROUP }

    record Layout(String name, DType dtype, Precision precision) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Layout> LAYOUTS = List.of(
            new Layout("f32", DType.F32, Precision.defaults()),
            new Layout("bf16", DType.BF16, Precision.defaults()),
            new Layout("f16", DType.F16, Precision.defaults()),
            new Layout("bf16+master", DType.BF16, Precision.masterWeights()),
            new Layout("f16+master", DType.F16, Precision.masterWeights()),
            new Layout("bf16+master+sr", DType.BF16, Precision.masterWeights().withStochasticRounding(7)),
            new Layout("f32+bf16 states", DType.F32, Precision.states(DType.BF16)));

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (OptimizerRule rule : AmpFixtures.everyOptimizer()) {
            for (Layout layout : LAYOUTS) {
                // every optimizer and layout: an infinity mid-tensor, a NaN at the very end of the last
                // group; both values in both places for one optimizer (the 1M-element tensors cost time)
                out.add(Arguments.of(rule, layout, Place.MIDDLE_OF_LARGE_TENSOR, Float.POSITIVE_INFINITY));
                out.add(Arguments.of(rule, layout, Place.LAST_TENSOR_OF_A_GROUP, Float.NaN));
                if (rule instanceof dev.fusedstep.optim.AdamW) {
                    out.add(Arguments.of(rule, layout, Place.MIDDLE_OF_LARGE_TENSOR, Float.NaN));
                    out.add(Arguments.of(rule, layout, Place.LAST_TENSOR_OF_A_GROUP, Float.POSITIVE_INFINITY));
                }
            }
        }
        return out.stream();
    }

    private static final int LARGE = 1 << 20;
    private static final long BAD_INDEX = 500_001;

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @MethodSource("cases")
    void aNonFiniteGradientSkipsTheWholeStep(OptimizerRule rule, Layout layout, Place place, float bad) {
        Random rnd = new Random(11);
        try (Arena arena = Arena.ofShared()) {
            // group 0: a large tensor and a small one; group 1: two small tensors, the last one last
            int[] sizes = {LARGE, 1000, 777, 33};
            List<String> names = List.of("g0.big", "g0.small", "g1.a", "g1.last");
            List<Tensor> params = new ArrayList<>(), grads = new ArrayList<>();
            for (int size : sizes) {
                params.add(tensor(arena, layout.dtype(), gaussian(rnd, size, 1)));
                grads.add(tensor(arena, layout.dtype(), gaussian(rnd, size, 1e-2)));
            }
            try (Optimizer opt = Optimizer.builder()
                    .group(rule, layout.precision(), Param.of(names.get(0), params.get(0), grads.get(0)),
                            Param.of(names.get(1), params.get(1), grads.get(1)))
                    .group(rule, layout.precision(), Param.of(names.get(2), params.get(2), grads.get(2)),
                            Param.of(names.get(3), params.get(3), grads.get(3)))
                    .build()) {
                GradScaler scaler = new GradScaler();
                // one finite step first, so that states and step counts are not trivially zero
                assertTrue(scaler.step(opt));
                assertEquals(1, scaler.growthTracker());

                Tensor target = place == Place.MIDDLE_OF_LARGE_TENSOR ? grads.get(0) : grads.get(3);
                long index = place == Place.MIDDLE_OF_LARGE_TENSOR ? BAD_INDEX : target.numel() - 1;
                byte[] saved = AmpFixtures.bytes(target);
                poke(target, index, bad);
                Map<String, Object> before = snapshot(opt, names, params);

                assertFalse(scaler.step(opt), "a non-finite gradient must skip the step");
                assertTrue(!Double.isFinite(scaler.lastNorm()), "lastNorm " + scaler.lastNorm());
                assertEquals(List.of(), differences(before, snapshot(opt, names, params)), "modified by a skipped step");
                assertEquals(32768f, scaler.scale());
                assertEquals(0, scaler.growthTracker());

                assertFalse(scaler.step(opt, 1.0, 2.0), "the clipping step skips too");
                assertEquals(List.of(), differences(before, snapshot(opt, names, params)), "modified by a skipped clipped step");
                assertEquals(16384f, scaler.scale());

                target.segment().copyFrom(java.lang.foreign.MemorySegment.ofArray(saved));
                assertTrue(scaler.step(opt), "a finite step goes through after the skip");
                List<String> changed = differences(before, snapshot(opt, names, params));
                for (String name : names) {
                    assertTrue(changed.contains(name + ".step"), name + ": step count did not advance");
                    assertEquals(2, opt.scalarState(name).step());
                }
                for (String name : names) {
                    // a half parameter may keep its bits (an update below half an ulp); its states move
                    assertTrue(changed.stream().anyMatch(k -> k.startsWith(name + ".") && !k.endsWith(".step")
                            && !k.endsWith(".grad") && !k.endsWith(".mu_product")), name + " did not move: " + changed);
                }
                assertEquals(16384f, scaler.scale());
                assertEquals(1, scaler.growthTracker());
            }
        }
    }

    /** Writes {@code value} (rounded to the tensor's dtype: inf and NaN survive) at {@code index}. */
    private static void poke(Tensor t, long index, float value) {
        switch (t.dtype()) {
            case F32 -> t.segment().setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, index, value);
            case BF16 -> t.segment().setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index,
                    Float.isNaN(value) ? (short) 0x7FC0 : (short) 0x7F80);
            case F16 -> t.segment().setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index, Float.floatToFloat16(value));
            default -> throw new AssertionError(t.dtype());
        }
    }
}
