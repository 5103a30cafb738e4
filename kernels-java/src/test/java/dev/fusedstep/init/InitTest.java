package dev.fusedstep.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.cast.Casts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** Fans, gains, the scaled initializers, orthogonal, constants and every dtype. */
class InitTest {

    @Test
    void fansOfLinearAndConvolutionWeights() {
        assertEquals(new Fans(128, 256), Fans.of(256, 128));
        assertEquals(new Fans(32 * 9, 64 * 9), Fans.of(64, 32, 3, 3));
        assertEquals(new Fans(4 * 2 * 3 * 5, 8 * 2 * 3 * 5), Fans.of(8, 4, 2, 3, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fans.of(5));
        assertTrue(e.getMessage().contains("[5]") && e.getMessage().contains("2 dimensions"), e.getMessage());
        assertEquals(288, Fans.of(64, 32, 3, 3).get(FanMode.FAN_IN));
        assertEquals(FanMode.FAN_OUT, FanMode.fromName("fan_out"));
        e = assertThrows(IllegalArgumentException.class, () -> FanMode.fromName("fan_avg"));
        assertTrue(e.getMessage().contains("fan_avg") && e.getMessage().contains("fan_in"), e.getMessage());
    }

    @Test
    void gainsAsTorch() {
        for (String linear : new String[] {"linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
            "conv_transpose2d", "conv_transpose3d", "sigmoid"}) {
            assertEquals(1.0, Init.calculateGain(linear), linear);
        }
        assertEquals(5.0 / 3, Init.calculateGain("tanh"));
        assertEquals(Math.sqrt(2), Init.calculateGain("relu"));
        assertEquals(Math.sqrt(2 / (1 + 0.01 * 0.01)), Init.calculateGain("leaky_relu"));
        assertEquals(Math.sqrt(2 / 1.04), Init.calculateGain("leaky_relu", 0.2), 1e-15);
        assertEquals(Math.sqrt(2), Init.calculateGain("leaky_relu", 0));
        assertEquals(0.75, Init.calculateGain("selu"));
        assertEquals(Math.sqrt(2), Init.calculateGain("relu", 0.3)); // the param only matters for leaky_relu
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("gelu"));
        assertTrue(e.getMessage().contains("gelu") && e.getMessage().contains("leaky_relu"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("leaky_relu", Double.NaN));
        assertTrue(e.getMessage().startsWith("negative_slope"), e.getMessage());
    }

    private static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static double rms(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return Math.sqrt(s / x.length);
    }

    @Test
    void xavierBoundsAndStd() {
        float[] w = new float[512 * 256];
        Init.xavierUniform(Tensor.of(w, 512, 256), RandomStream.of(10));
        double bound = Math.sqrt(6.0 / (256 + 512));
        assertTrue(maxAbs(w) < bound && maxAbs(w) > 0.999 * bound, "max " + maxAbs(w) + " vs bound " + bound);
        assertEquals(bound / Math.sqrt(3), rms(w), 0.01 * bound);
        Init.xavierUniform(Tensor.of(w, 512, 256), 2.0, RandomStream.of(10));
        assertTrue(maxAbs(w) < 2 * bound && maxAbs(w) > 1.99 * bound);

        Init.xavierNormal(Tensor.of(w, 512, 256), 0.5, RandomStream.of(11));
        assertEquals(0.5 * Math.sqrt(2.0 / 768), rms(w), 0.01 * 0.5 * Math.sqrt(2.0 / 768));
    }

    @Test
    void kaimingBoundsAndStd() {
        float[] w = new float[256 * 128 * 3 * 3];
        Tensor conv = Tensor.of(w, 256, 128, 3, 3);
        Init.kaimingUniform(conv, RandomStream.of(12)); // a = 0, fan_in, leaky_relu: gain sqrt 2
        double bound = Math.sqrt(3) * Math.sqrt(2) / Math.sqrt(128 * 9);
        assertTrue(maxAbs(w) < bound && maxAbs(w) > 0.999 * bound, "max " + maxAbs(w) + " vs bound " + bound);
        assertEquals(bound / Math.sqrt(3), rms(w), 0.01 * bound);

        Init.kaimingUniform(conv, Math.sqrt(5), FanMode.FAN_IN, "leaky_relu", RandomStream.of(12)); // nn.Linear/Conv default
        double linearBound = Math.sqrt(3) * Math.sqrt(2.0 / 6) / Math.sqrt(128 * 9); // = 1/sqrt(fan_in)
        assertEquals(1 / Math.sqrt(128 * 9), linearBound, 1e-12);
        assertTrue(maxAbs(w) < linearBound && maxAbs(w) > 0.999 * linearBound);

        Init.kaimingNormal(conv, 0, FanMode.FAN_OUT, "relu", RandomStream.of(13));
        double std = Math.sqrt(2.0 / (256 * 9));
        assertEquals(std, rms(w), 0.01 * std);
        Init.kaimingNormal(conv, RandomStream.of(13));
        assertEquals(Math.sqrt(2.0 / (128 * 9)), rms(w), 0.01 * Math.sqrt(2.0 / (128 * 9)));
    }

    /** max |W W^T - gain^2 I| over the rows (rowsOrthonormal) or |W^T W - gain^2 I| over the columns. */
    private static double orthogonalityError(float[] w, int rows, int cols, double gain, boolean rowsOrthonormal) {
        int n = rowsOrthonormal ? rows : cols;
        double worst = 0;
        for (int p = 0; p < n; p++) {
            for (int q = 0; q < n; q++) {
                double dot = 0;
                int len = rowsOrthonormal ? cols : rows;
                for (int k = 0; k < len; k++) {
                    dot += rowsOrthonormal ? (double) w[p * cols + k] * w[q * cols + k]
                            : (double) w[k * cols + p] * w[k * cols + q];
                }
                worst = Math.max(worst, Math.abs(dot - (p == q ? gain * gain : 0)));
            }
        }
        return worst;
    }

    @Test
    void orthogonalTallWideAndConvolution() {
        float[] tall = new float[96 * 40];
        Init.orthogonal(Tensor.of(tall, 96, 40), RandomStream.of(20));
        assertTrue(orthogonalityError(tall, 96, 40, 1, false) < 1e-5, "Q^T Q - I: " + orthogonalityError(tall, 96, 40, 1, false));

        float[] square = new float[64 * 64];
        Init.orthogonal(Tensor.of(square, 64, 64), RandomStream.of(21));
        assertTrue(orthogonalityError(square, 64, 64, 1, false) < 1e-5);
        assertTrue(orthogonalityError(square, 64, 64, 1, true) < 1e-5);

        float[] wide = new float[24 * 70];
        Init.orthogonal(Tensor.of(wide, 24, 70), 2.0, RandomStream.of(22));
        assertTrue(orthogonalityError(wide, 24, 70, 2, true) < 4e-5, "W W^T - 4I: " + orthogonalityError(wide, 24, 70, 2, true));

        float[] conv = new float[16 * 4 * 3 * 3];
        Init.orthogonal(Tensor.of(conv, 16, 4, 3, 3), RandomStream.of(23)); // 16 x 36: orthonormal rows
        assertTrue(orthogonalityError(conv, 16, 36, 1, true) < 1e-5);
    }

    @Test
    void orthogonalIsTheQOfItsNormalDraws() {
        // Q R = A with R upper triangular and positive on the diagonal: R = Q^T A must be so.
        int rows = 30, cols = 12;
        float[] q = new float[rows * cols];
        float[] a = new float[rows * cols];
        Init.orthogonal(Tensor.of(q, rows, cols), RandomStream.of(24));
        Init.normal(Tensor.of(a, rows, cols), RandomStream.of(24));
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                double r = 0;
                for (int k = 0; k < rows; k++) {
                    r += (double) q[k * cols + i] * a[k * cols + j];
                }
                if (i > j) {
                    assertEquals(0, r, 1e-4, "R[" + i + "][" + j + "]");
                } else if (i == j) {
                    assertTrue(r > 0, "R[" + i + "][" + i + "] = " + r);
                }
            }
        }
    }

    @Test
    void constants() {
        try (Arena arena = Arena.ofConfined()) {
            for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                Tensor t = Tensor.allocate(arena, dtype, 1000);
                Init.ones(t);
                assertArrayEquals(filled(1000, 1f), asF32(t, arena), dtype.toString());
                Init.constant(t, 0.1);
                assertArrayEquals(asF32(Casts.to(Tensor.of(filled(1000, 0.1f)), dtype, arena), arena), asF32(t, arena));
                Init.zeros(t);
                assertArrayEquals(new float[1000], asF32(t, arena));
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Init.constant(Tensor.of(new float[4]), 1e39));
        assertTrue(e.getMessage().startsWith("value: got 1.00000e+39"), e.getMessage());
    }

    private static float[] filled(int n, float v) {
        float[] x = new float[n];
        Arrays.fill(x, v);
        return x;
    }

    private static float[] asF32(Tensor t, Arena arena) {
        return t.dtype() == DType.F32 ? t.toFloatArray() : Casts.to(t, DType.F32, arena).toFloatArray();
    }

    private static byte[] bytes(Tensor t) {
        return t.segment().toArray(ValueLayout.JAVA_BYTE);
    }

    /** Every initializer, by name, for the dtype test. */
    private static final String[] NAMES = {"uniform", "normal", "truncNormal", "xavierUniform", "xavierNormal",
        "kaimingUniform", "kaimingNormal", "orthogonal"};

    private static void init(String name, Tensor t, RandomStream rng) {
        switch (name) {
            case "uniform" -> Init.uniform(t, -0.7, 0.9, rng);
            case "normal" -> Init.normal(t, 0.25, 3.0, rng);
            case "truncNormal" -> Init.truncNormal(t, 0, 0.02, -0.04, 0.04, rng);
            case "xavierUniform" -> Init.xavierUniform(t, rng);
            case "xavierNormal" -> Init.xavierNormal(t, rng);
            case "kaimingUniform" -> Init.kaimingUniform(t, rng);
            case "kaimingNormal" -> Init.kaimingNormal(t, rng);
            case "orthogonal" -> Init.orthogonal(t, rng);
            default -> throw new AssertionError(name);
        }
    }

    @Test
    void halfOutputsAreTheNearestEvenCastOfTheFloat32Output() {
        long[] shape = {300, 130}; // 39000 elements: two full chunks and a partial one
        try (Arena arena = Arena.ofShared()) {
            for (String name : NAMES) {
                Tensor f32 = Tensor.allocate(arena, DType.F32, shape);
                init(name, f32, RandomStream.of(77).withStream(5));
                for (DType half : new DType[] {DType.BF16, DType.F16}) {
                    Tensor direct = Tensor.allocate(arena, half, shape);
                    init(name, direct, RandomStream.of(77).withStream(5));
                    assertArrayEquals(bytes(Casts.to(f32, half, arena)), bytes(direct), name + " " + half);
                }
            }
        }
    }

    @Test
    void seedsAndStreamsChangeTheValues() {
        for (String name : NAMES) {
            float[] a = new float[64 * 32], b = new float[64 * 32], c = new float[64 * 32], again = new float[64 * 32];
            init(name, Tensor.of(a, 64, 32), RandomStream.of(1));
            init(name, Tensor.of(b, 64, 32), RandomStream.of(2));
            init(name, Tensor.of(c, 64, 32), RandomStream.of(1).withStream(1));
            init(name, Tensor.of(again, 64, 32), RandomStream.of(1));
            assertArrayEquals(a, again, name);
            assertFalse(Arrays.equals(a, b), name + ": seeds 1 and 2 agree");
            assertFalse(Arrays.equals(a, c), name + ": streams 0 and 1 agree");
        }
    }

    @Test
    void zeroElementTensorsAreLeftAlone() {
        for (String name : NAMES) {
            init(name, Tensor.of(new float[0], 0, 5), RandomStream.of(1));
        }
    }

    /** A call that must fail and leave the tensor as it was. */
    private static void rejects(String expectedStart, BiConsumer<Tensor, RandomStream> call) {
        float[] sentinel = filled(64, 7f);
        Tensor t = Tensor.of(sentinel, 8, 8);
        RuntimeException e = assertThrows(RuntimeException.class, () -> call.accept(t, RandomStream.of(1)));
        assertTrue(e.getMessage().startsWith(expectedStart), "message \"" + e.getMessage() + "\", expected to start with " + expectedStart);
        assertArrayEquals(filled(64, 7f), sentinel, "written before failing: " + expectedStart);
    }

    @Test
    void badArgumentsFailBeforeWriting() {
        rejects("std: got -1.0, expected a finite value >= 0", (t, r) -> Init.normal(t, 0, -1, r));
        rejects("std: got NaN", (t, r) -> Init.normal(t, 0, Double.NaN, r));
        rejects("mean: got Infinity", (t, r) -> Init.normal(t, Double.POSITIVE_INFINITY, 1, r));
        rejects("b: got -1.0, expected >= a (1.0)", (t, r) -> Init.uniform(t, 1, -1, r));
        rejects("a: got -Infinity", (t, r) -> Init.uniform(t, Double.NEGATIVE_INFINITY, 1, r));
        rejects("b - a: got 6.0E38", (t, r) -> Init.uniform(t, -3e38, 3e38, r));
        rejects("std: got 0.0, expected a finite value > 0", (t, r) -> Init.truncNormal(t, 0, 0, -2, 2, r));
        rejects("b: got -2.0, expected > a (2.0)", (t, r) -> Init.truncNormal(t, 0, 1, 2, -2, r));
        rejects("nonlinearity: got \"swish\"", (t, r) -> Init.kaimingNormal(t, 0, FanMode.FAN_IN, "swish", r));
        rejects("mode: got null", (t, r) -> Init.kaimingUniform(t, 0, null, "relu", r));
        rejects("gain: got NaN", (t, r) -> Init.xavierUniform(t, Double.NaN, r));
        rejects("gain: got Infinity", (t, r) -> Init.orthogonal(t, Double.POSITIVE_INFINITY, r));
        rejects("rng: got null", (t, r) -> Init.uniform(t, null));
        rejects("rng: got null", (t, r) -> Init.orthogonal(t, null));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Init.xavierUniform(Tensor.of(new float[5]), RandomStream.of(1)));
        assertTrue(e.getMessage().contains("[5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Init.orthogonal(Tensor.of(new float[5]), RandomStream.of(1)));
        assertTrue(e.getMessage().contains("[5]") && e.getMessage().contains("2 dimensions"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Init.zeros(null));
        assertTrue(e.getMessage().startsWith("tensor: got null"), e.getMessage());
    }

    @Test
    void badTensorsFailBeforeWriting() {
        float[] values = filled(16, 3f);
        Tensor readOnly = Tensor.of(MemorySegment.ofArray(values).asReadOnly(), DType.F32, 16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.normal(readOnly, RandomStream.of(1)));
        assertTrue(e.getMessage().startsWith("tensor: got a read-only segment"), e.getMessage());
        assertArrayEquals(filled(16, 3f), values);

        try (Arena arena = Arena.ofConfined()) {
            Tensor f64 = Tensor.allocate(arena, DType.F64, 4);
            e = assertThrows(IllegalArgumentException.class, () -> Init.ones(f64));
            assertTrue(e.getMessage().equals("tensor: got dtype F64, expected F32, BF16 or F16"), e.getMessage());
        }
        Tensor closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = Tensor.allocate(arena, DType.F32, 4);
        }
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> Init.uniform(closed, RandomStream.of(1)));
        assertTrue(s.getMessage().startsWith("tensor: its memory segment is closed"), s.getMessage());
    }
}
