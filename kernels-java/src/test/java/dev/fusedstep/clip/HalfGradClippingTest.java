package dev.fusedstep.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.cast.Casts;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Norms and clipping over BF16 and F16 gradients: half values widen to float32 exactly, so the
 * norm has the bits of the norm of the widened gradients (same chunks, same order), for any
 * thread count; clipping computes in float32 and writes back rounded to nearest-even, i.e. the
 * float32 result cast with {@link Casts}.
 */
class HalfGradClippingTest {

    private static final int[] SIZES = {100_000, 7, 40_000, 0, 16_385};

    /** Gradients in {@code dtype} and their float32 widening. */
    private record Grads(List<Tensor> half, List<Tensor> wide) {}

    private static Grads grads(Arena arena, DType dtype, long seed) {
        Random r = new Random(seed);
        List<Tensor> half = new ArrayList<>(), wide = new ArrayList<>();
        for (int n : SIZES) {
            Tensor f = Tensor.allocate(arena, DType.F32, n);
            for (int i = 0; i < n; i++) {
                f.setFloat(i, (float) (r.nextGaussian() * 3));
            }
            Tensor h = Tensor.allocate(arena, dtype, n);
            Casts.convert(f, h);
            Tensor w = Tensor.allocate(arena, DType.F32, n);
            Casts.convert(h, w);
            half.add(h);
            wide.add(w);
        }
        return new Grads(half, wide);
    }

    private static float[] widened(Arena arena, Tensor t) {
        return Casts.to(t, DType.F32, arena).toFloatArray();
    }

    private static float[] roundTrip(Arena arena, Tensor f32, DType dtype) {
        return widened(arena, Casts.to(f32, dtype, arena));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"BF16", "F16"})
    void theNormOfHalfGradientsIsTheNormOfTheirFloat32ValuesForAnyThreadCount(DType dtype) {
        boolean[] kinds = VectorizationProvider.getInstance().vectorized() ? new boolean[] {false, true} : new boolean[] {false};
        try (Arena arena = Arena.ofShared()) {
            Grads g = grads(arena, dtype, 3);
            for (double p : new double[] {GradClipping.L2, GradClipping.INF, 1.0, 3.0}) {
                for (boolean vectorized : kinds) {
                    for (int threads = 1; threads <= 3; threads++) {
                        try (CpuBackend backend = new CpuBackend(vectorized, threads)) {
                            double half = GradClipping.totalNorm(backend, g.half(), p);
                            double wide = GradClipping.totalNorm(backend, g.wide(), p);
                            assertEquals(Double.doubleToRawLongBits(wide), Double.doubleToRawLongBits(half),
                                    dtype + " p=" + p + " vectorized=" + vectorized + " threads=" + threads);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"BF16", "F16"})
    void clippingHalfGradientsIsFloat32ClippingRoundedToNearestEven(DType dtype) {
        try (Arena arena = Arena.ofShared()) {
            for (double p : new double[] {GradClipping.L2, GradClipping.INF, 1.0}) {
                Grads g = grads(arena, dtype, 4);
                double halfTotal = GradClipping.clipGradNorm(g.half(), 10.0, p);
                double wideTotal = GradClipping.clipGradNorm(g.wide(), 10.0, p);
                assertEquals(wideTotal, halfTotal);
                assertTrue(GradClipping.clipCoefficient(10.0, wideTotal) < 1f, "the case must clip");
                for (int i = 0; i < SIZES.length; i++) {
                    assertArrayEquals(roundTrip(arena, g.wide().get(i), dtype), widened(arena, g.half().get(i)),
                            dtype + " p=" + p + " tensor " + i);
                }
            }
            Grads g = grads(arena, dtype, 5);
            GradClipping.clipGradValue(g.half(), 0.7);
            GradClipping.clipGradValue(g.wide(), 0.7);
            for (int i = 0; i < SIZES.length; i++) {
                assertArrayEquals(roundTrip(arena, g.wide().get(i), dtype), widened(arena, g.half().get(i)),
                        dtype + " clip by value, tensor " + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"BF16", "F16"})
    void aNonFiniteHalfGradientMakesTheNormNonFinite(DType dtype) {
        try (Arena arena = Arena.ofShared()) {
            Grads g = grads(arena, dtype, 6);
            Tensor t = g.half().get(0);
            short inf = dtype == DType.BF16 ? (short) 0x7F80 : (short) 0x7C00;
            short nan = dtype == DType.BF16 ? (short) 0x7FC0 : (short) 0x7E00;
            t.segment().setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, 50_001, inf);
            assertEquals(Double.POSITIVE_INFINITY, GradClipping.totalNorm(g.half(), GradClipping.L2));
            assertEquals(Double.POSITIVE_INFINITY, GradClipping.totalNorm(g.half(), GradClipping.INF));
            g.half().get(4).segment().setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, 16_384, nan); // the last element
            assertTrue(Double.isNaN(GradClipping.totalNorm(g.half(), GradClipping.L2)));
            assertTrue(Double.isNaN(GradClipping.totalNorm(g.half(), GradClipping.INF)));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"BF16", "F16"})
    void mixedDtypesTakeOneNorm(DType dtype) {
        try (Arena arena = Arena.ofShared()) {
            Grads g = grads(arena, dtype, 7);
            List<Tensor> mixed = new ArrayList<>(g.half());
            mixed.set(1, g.wide().get(1));
            mixed.set(4, g.wide().get(4));
            assertEquals(GradClipping.totalNorm(g.wide(), GradClipping.L2), GradClipping.totalNorm(mixed, GradClipping.L2));
        }
    }

    @org.junit.jupiter.api.Test
    void zeroMaxNormAndF64AreRejected() {
        float[] g = {1, 2, 3};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradClipping.clipGradNorm(List.of(Tensor.of(g)), 0, GradClipping.L2));
        assertTrue(e.getMessage().contains("max_norm: got 0.0") && e.getMessage().contains("> 0"), e.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            Tensor f64 = Tensor.allocate(arena, DType.F64, 3);
            e = assertThrows(IllegalArgumentException.class, () -> GradClipping.totalNorm(List.of(Tensor.of(g), f64), 2));
            assertTrue(e.getMessage().contains("grads[1]: got dtype F64") && e.getMessage().contains("BF16"), e.getMessage());
        }
        assertArrayEquals(new float[] {1, 2, 3}, g);
    }
}
