package dev.fusedstep.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.Cublas;
import dev.fusedstep.internal.cuda.CudaBackend;
import dev.fusedstep.internal.cuda.DeviceArena;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Gemm on CUDA tensors (cuBLAS, row-major through the transpose identity) against Gemm on the
 * CPU, every transpose pair, odd shapes and the demo MLP's layer shapes.
 *
 * <p>The bar: each element of either result is a k-term float32 sum (fused multiply-adds on the
 * CPU, cuBLAS's blocked order on the GPU, both in pedantic float32) then alpha's and beta's
 * roundings, so each lies within gamma_(k+2) = (k+2) u (u = 2^-24) of the exact value times
 * M = |alpha| sum_p |a_ip b_pj| + |beta c_ij| (Higham, 3.1); the two differ by at most twice that.
 * A wrong transpose, leading dimension or operand order moves elements by about M itself, far
 * outside the bar. The bar is also sharp enough that TF32 inputs (rounded to 2^-11) would fail
 * it on the shapes with a small k.
 */
@Tag("gpu")
class CudaGemmTest {

    private static final int[][] SHAPES = {{1, 1, 1}, {3, 5, 7}, {17, 33, 9}, {256, 100, 10}, {256, 10, 100},
        {10, 100, 256}, {512, 1, 10}, {1, 10, 512}, {257, 129, 515}};

    @Test
    void everyTransposeAgreesWithTheCpuGemmWithinTwiceTheFloat32Bound() {
        CudaBackend backend = CudaBackend.availability().available() ? CudaBackend.shared(0) : null;
        assumeTrue(backend != null, () -> "no GPU backend here: " + CudaBackend.availability().reason());
        assumeTrue(Cublas.library().isLoaded(), () -> "no cuBLAS here: " + Cublas.library().missingReason().orElse(""));
        Random r = new Random(11);
        try (DeviceArena arena = new DeviceArena(0)) {
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                for (Transpose ta : Transpose.values()) {
                    for (Transpose tb : Transpose.values()) {
                        float alpha = 0.75f, beta = ta == tb ? 0f : -1.5f;
                        float[] a = GemmTest.random(r, m * k), b = GemmTest.random(r, k * n), c0 = GemmTest.random(r, m * n);
                        long[] aShape = ta == Transpose.N ? new long[] {m, k} : new long[] {k, m};
                        long[] bShape = tb == Transpose.N ? new long[] {k, n} : new long[] {n, k};
                        float[] cpu = c0.clone();
                        Gemm.gemm(ta, tb, alpha, Tensor.of(a, aShape), Tensor.of(b, bShape), beta, Tensor.of(cpu, m, n));
                        Tensor da = arena.upload(Tensor.of(a, aShape)), db = arena.upload(Tensor.of(b, bShape));
                        Tensor dc = arena.upload(Tensor.of(c0.clone(), m, n));
                        Gemm.gemm(ta, tb, alpha, da, db, beta, dc);
                        float[] gpu = new float[m * n];
                        DeviceArena.copy(dc, Tensor.of(gpu, m, n));  // waits for the product (legacy stream)
                        compare(a, ta, b, tb, c0, alpha, beta, m, n, k, cpu, gpu);
                    }
                }
            }
        }
    }

    @Test
    void matmulOfDeviceTensorsIsTheProductAndLeavesTheOperandsAlone() {
        assumeTrue(CudaBackend.availability().available(), () -> "no GPU backend here: " + CudaBackend.availability().reason());
        assumeTrue(Cublas.library().isLoaded(), () -> "no cuBLAS here: " + Cublas.library().missingReason().orElse(""));
        try (DeviceArena arena = new DeviceArena(0)) {
            // small integers: every sum is exact in float32, so the result is exact whatever the order
            float[] a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11, 12};
            Tensor da = arena.upload(Tensor.of(a.clone(), 2, 3)), db = arena.upload(Tensor.of(b.clone(), 3, 2));
            Tensor dc = arena.upload(Tensor.of(new float[] {Float.NaN, Float.NaN, Float.NaN, Float.NaN}, 2, 2));
            Gemm.matmul(da, db, dc);
            float[] c = new float[4], aBack = new float[6];
            DeviceArena.copy(dc, Tensor.of(c, 2, 2));
            DeviceArena.copy(da, Tensor.of(aBack, 2, 3));
            assertArrayEquals(new float[] {58, 64, 139, 154}, c, "beta 0 overwrites NaN");
            assertArrayEquals(a, aBack);
        }
    }

    private static void compare(float[] a, Transpose ta, float[] b, Transpose tb, float[] c0, float alpha, float beta, int m,
            int n, int k, float[] cpu, float[] gpu) {
        int aCols = ta == Transpose.N ? k : m, bCols = tb == Transpose.N ? n : k;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double magnitude = 0;
                for (int p = 0; p < k; p++) {
                    magnitude += Math.abs(GemmTest.op(a, ta, aCols, i, p) * GemmTest.op(b, tb, bCols, p, j));
                }
                double bound = 2 * (k + 2) * 0x1p-24 * (Math.abs(alpha) * magnitude + Math.abs(beta * c0[i * n + j])) * 1.01;
                double diff = Math.abs((double) gpu[i * n + j] - cpu[i * n + j]);
                if (!(diff <= bound)) {
                    fail(String.format("%dx%dx%d %s%s at (%d,%d): GPU %s, CPU %s, bound %s", m, n, k, ta, tb, i, j,
                            gpu[i * n + j], cpu[i * n + j], bound));
                }
            }
        }
    }
}
