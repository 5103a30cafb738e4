package dev.fusedstep.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.Cublas;
import dev.fusedstep.internal.cuda.CudaBackend;
import dev.fusedstep.DeviceArena;
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
        assumeTrue(CudaBackend.availability().available(), () -> "no GPU backend here: " + CudaBackend.availability().reason());
        assumeTrue(Cublas.library().isLoaded(), () -> "no cuBLAS here: " + Cublas.library().missingReason().orElse(""));
        try (DeviceArena arena = new DeviceArena(0)) {
            GemmCases.forEach(new Random(11), SHAPES, t -> {
                float[] cpu = t.c0().clone(), gpu = new float[t.m() * t.n()];
                Gemm.gemm(t.ta(), t.tb(), t.alpha(), t.aTensor(), t.bTensor(), t.beta(), Tensor.of(cpu, t.m(), t.n()));
                Tensor dc = arena.upload(Tensor.of(t.c0().clone(), t.m(), t.n()));
                Gemm.gemm(t.ta(), t.tb(), t.alpha(), arena.upload(t.aTensor()), arena.upload(t.bTensor()), t.beta(), dc);
                DeviceArena.copy(dc, Tensor.of(gpu, t.m(), t.n()));  // waits for the product (legacy stream)
                for (int i = 0; i < t.m(); i++) {
                    for (int j = 0; j < t.n(); j++) {
                        double bound = 2 * (t.k() + 2) * 0x1p-24 * t.magnitude(i, j) * 1.01;
                        double diff = Math.abs((double) gpu[i * t.n() + j] - cpu[i * t.n() + j]);
                        if (!(diff <= bound)) {
                            fail(String.format("%s at (%d,%d): GPU %s, CPU %s, bound %s", t, i, j, gpu[i * t.n() + j],
                                    cpu[i * t.n() + j], bound));
                        }
                    }
                }
            });
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
}
