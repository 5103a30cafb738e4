package dev.fusedstep.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The row-major to column-major mapping of Gemm's cuBLAS path, without a GPU: the arguments
 * GemmOnDevice hands to cuBLAS, given to a reference column-major sgemm (BLAS's definition, with
 * cuBLAS's checks of the leading dimensions) over host memory, must give the CPU Gemm's result,
 * bit for bit, since the reference sums in the CPU kernel's order. A swapped operand, a wrong
 * transpose flag or leading dimension gives other numbers or fails the checks.
 */
class GemmOnDeviceMappingTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Column-major C = alpha op(A) op(B) + beta C, each element a fused sum from zero in p order, as GemmKernel. */
    private static void reference(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
            MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        assertTrue(lda >= Math.max(1, transA ? k : m), "lda " + lda + " too small for op(A) " + m + " x " + k);
        assertTrue(ldb >= Math.max(1, transB ? n : k), "ldb " + ldb + " too small for op(B) " + k + " x " + n);
        assertTrue(ldc >= Math.max(1, m), "ldc " + ldc + " too small for C " + m + " x " + n);
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    float x = a.getAtIndex(F, transA ? p + (long) i * lda : i + (long) p * lda);
                    float y = b.getAtIndex(F, transB ? j + (long) p * ldb : p + (long) j * ldb);
                    sum = Math.fma(x, y, sum);
                }
                long at = i + (long) j * ldc;
                float scaled = alpha * sum;
                c.setAtIndex(F, at, beta == 0f ? scaled : Math.fma(beta, c.getAtIndex(F, at), scaled));
            }
        }
    }

    @Test
    void everyTransposeThroughTheColumnMajorCallIsTheRowMajorProduct() {
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {256, 100, 10}, {1, 10, 256}, {512, 1, 10}, {17, 33, 9}, {4, 6, 0}};
        GemmCases.forEach(new Random(12), shapes, t -> {
            float[] want = t.c0().clone(), got = t.c0().clone();
            Gemm.gemm(t.ta(), t.tb(), t.alpha(), t.aTensor(), t.bTensor(), t.beta(), Tensor.of(want, t.m(), t.n()), false);
            GemmOnDevice.rowMajor(GemmOnDeviceMappingTest::reference, t.ta() == Transpose.T, t.tb() == Transpose.T, t.m(), t.n(),
                    t.k(), t.alpha(), t.aTensor(), t.bTensor(), t.beta(), Tensor.of(got, t.m(), t.n()));
            assertArrayEquals(want, got, t.toString());
        });
    }
}
