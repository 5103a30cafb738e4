package dev.fusedstep.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.Tensor;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The CPU GEMM against a double-precision reference, and the vector loop against the scalar loop, bit for bit. */
class GemmTest {

    /** Shapes with column tails of every length, k of 1, a single row, and layer-like sizes. */
    private static final int[][] SHAPES = {{1, 1, 1}, {3, 5, 7}, {17, 33, 9}, {256, 100, 10}, {256, 10, 100},
        {100, 10, 256}, {10, 100, 256}, {5, 64, 1}, {2, 129, 31}, {64, 1, 64}};

    static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** Stored element (i, j) of op(X) where X is stored [rows, cols] row-major. */
    static double op(float[] x, Transpose t, int cols, int i, int j) {
        return t == Transpose.N ? x[i * cols + j] : x[j * cols + i];
    }

    @Test
    void everyTransposeMatchesADoubleReferenceWithinTheFloat32Bound() {
        GemmCases.forEach(new Random(7), SHAPES, t -> {
            float[] c = t.c0().clone();
            Gemm.gemm(t.ta(), t.tb(), t.alpha(), t.aTensor(), t.bTensor(), t.beta(), Tensor.of(c, t.m(), t.n()));
            for (int i = 0; i < t.m(); i++) {
                for (int j = 0; j < t.n(); j++) {
                    double exact = 0;
                    for (int p = 0; p < t.k(); p++) {
                        exact += t.opA(i, p) * t.opB(p, j);
                    }
                    double want = t.alpha() * exact + t.beta() * t.c0()[i * t.n() + j];
                    // k fused roundings of the sum, then alpha's and beta's: gamma_(k+2) times the magnitudes.
                    double bound = (t.k() + 2) * 0x1p-24 * t.magnitude(i, j) * 1.01;
                    double got = c[i * t.n() + j];
                    if (!(Math.abs(got - want) <= bound)) {
                        fail(String.format("%s at (%d,%d): got %s, want %s, bound %s", t, i, j, got, want, bound));
                    }
                }
            }
        });
    }

    @Test
    void vectorAndScalarLoopsGiveTheSameBits() {
        assumeTrue(VectorizationProvider.getInstance().vectorized(), "the Vector API is not in use in this JVM");
        Random r = new Random(11);
        for (int[] s : SHAPES) {
            int m = s[0], n = s[1], k = s[2];
            for (Transpose ta : Transpose.values()) {
                for (Transpose tb : Transpose.values()) {
                    float[] a = random(r, m * k), b = random(r, k * n), c0 = random(r, m * n);
                    float[] scalar = c0.clone(), vector = c0.clone();
                    Tensor at = ta == Transpose.N ? Tensor.of(a, m, k) : Tensor.of(a, k, m);
                    Tensor bt = tb == Transpose.N ? Tensor.of(b, k, n) : Tensor.of(b, n, k);
                    Gemm.gemm(ta, tb, 1.25f, at, bt, 0.5f, Tensor.of(scalar, m, n), false);
                    Gemm.gemm(ta, tb, 1.25f, at, bt, 0.5f, Tensor.of(vector, m, n), true);
                    assertArrayEquals(scalar, vector, m + "x" + n + "x" + k + " " + ta + tb);
                }
            }
        }
    }

    @Test
    void matmulOnNativeMemoryIsThePlainProduct() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.allocate(arena, dev.fusedstep.DType.F32, 2, 3);
            a.copyFrom(new float[] {1, 2, 3, 4, 5, 6});
            Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
            Tensor c = Tensor.allocate(arena, dev.fusedstep.DType.F32, 2, 2);
            Gemm.matmul(a, b, c);
            assertArrayEquals(new float[] {58, 64, 139, 154}, c.toFloatArray());
        }
    }

    @Test
    void betaZeroOverwritesCEvenWhereItHoldsNaN() {
        float[] c = {Float.NaN, Float.NaN};
        Gemm.gemm(Transpose.N, Transpose.N, 2f, Tensor.of(new float[] {1, 2}, 1, 2), Tensor.of(new float[] {3, 4, 5, 6}, 2, 2), 0f,
                Tensor.of(c, 1, 2));
        assertArrayEquals(new float[] {26, 32}, c);
    }

    @Test
    void emptyInnerDimensionScalesC() {
        float[] c = {1, 2};
        Gemm.gemm(Transpose.N, Transpose.N, 1f, Tensor.of(new float[0], 2, 0), Tensor.of(new float[0], 0, 1), 3f, Tensor.of(c, 2, 1));
        assertEquals(3f, c[0]);
        assertEquals(6f, c[1]);
    }
}
