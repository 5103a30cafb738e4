package dev.fusedstep.linalg;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.TensorChecks;
import dev.fusedstep.internal.cpu.GemmKernel;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.util.Arrays;
import java.util.List;

/**
 * Float32 matrix products on the CPU or a CUDA device, BLAS's {@code sgemm} over row-major tensors:
 * {@code C = alpha * op(A) * op(B) + beta * C}, with {@code op(A)} of shape [m, k],
 * {@code op(B)} of shape [k, n] and {@code C} of shape [m, n]. A linear layer's forward pass
 * {@code y = x W^T + b} is {@code gemm(N, T, 1, x, W, 1, y)} with {@code y} holding the bias
 * rows; its backward passes are {@code dx = dy W} ({@code N, N}) and {@code dW = dy^T x}
 * ({@code T, N}).
 *
 * <p>Each element of C is one float32 sum over {@code p = 0..k-1} in that order, fused
 * multiply-adds from zero, then {@code alpha * sum} and, unless {@code beta} is 0,
 * {@code fma(beta, c, alpha * sum)}. The Vector API loop (where
 * {@code jdk.incubator.vector} is present) and the scalar loop follow that order lane by lane,
 * so both give the same bits. As in BLAS, {@code beta = 0} means C is only written (a NaN in it
 * does not propagate). The product runs on the calling thread; a transposed B is first copied
 * into a per-thread scratch panel that is reused, so repeated calls allocate nothing once the
 * panel is large enough.
 *
 * <p>On CUDA tensors (all three on one device, F32) the product is cuBLAS's {@code sgemm} in
 * pedantic float32 (no TF32), row-major through the usual identity: a row-major matrix is its
 * transpose column-major, so {@code C = op(A) op(B)} runs as {@code C^T = op(B)^T op(A)^T} with
 * A and B swapped. It is queued on the device's shared stream (the one the optimizer steps, the
 * initializers and the other device kernels of this library use, so their order holds) and the
 * call returns before it runs; a copy with {@code DeviceArena.copy} waits for it. cuBLAS sums in
 * an order of its own: the result agrees with the CPU's to float32 rounding, not bit for bit.
 * Where CUDA or cuBLAS cannot run, such a call throws IllegalStateException with the reason,
 * after the argument checks.
 */
public final class Gemm {
    private Gemm() {}

    /** {@code c = a * b}: a [m, k], b [k, n], c [m, n]. */
    public static void matmul(Tensor a, Tensor b, Tensor c) {
        gemm(Transpose.N, Transpose.N, 1f, a, b, 0f, c);
    }

    /** {@code c = alpha * op(a) * op(b) + beta * c}; every argument is checked before c is written. */
    public static void gemm(Transpose transA, Transpose transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        gemm(transA, transB, alpha, a, b, beta, c, VectorizationProvider.getInstance().vectorized());
    }

    /** As the public entry, choosing the loop: tests compare the scalar and the vector loops through this. */
    static void gemm(Transpose transA, Transpose transB, float alpha, Tensor a, Tensor b, float beta, Tensor c,
            boolean vectorized) {
        if (transA == null) {
            throw new IllegalArgumentException("transA: got null, expected Transpose.N or Transpose.T");
        }
        if (transB == null) {
            throw new IllegalArgumentException("transB: got null, expected Transpose.N or Transpose.T");
        }
        if (!Float.isFinite(alpha)) {
            throw new IllegalArgumentException("alpha: got " + alpha + ", expected a finite float");
        }
        if (!Float.isFinite(beta)) {
            throw new IllegalArgumentException("beta: got " + beta + ", expected a finite float");
        }
        Device device = a == null ? Device.CPU : a.device();
        TensorChecks.requireUsableOn("a", a, device, "a", DType.F32);
        TensorChecks.requireUsableOn("b", b, device, "a", DType.F32);
        TensorChecks.requireUsableOn("c", c, device, "a", DType.F32);
        requireMatrix("a", a);
        requireMatrix("b", b);
        requireMatrix("c", c);
        int m = dim("a", a, transA == Transpose.N ? 0 : 1);
        int k = dim("a", a, transA == Transpose.N ? 1 : 0);
        int kb = dim("b", b, transB == Transpose.N ? 0 : 1);
        int n = dim("b", b, transB == Transpose.N ? 1 : 0);
        if (kb != k) {
            throw new IllegalArgumentException("b: got shape " + Arrays.toString(b.shape()) + " (op(b) " + kb + " x " + n
                    + " with transB " + transB + "), expected op(b) to have " + k + " rows, the columns of op(a) (a "
                    + Arrays.toString(a.shape()) + ", transA " + transA + ")");
        }
        if (c.shape()[0] != m || c.shape()[1] != n) {
            throw new IllegalArgumentException("c: got shape " + Arrays.toString(c.shape()) + ", expected [" + m + ", " + n
                    + "] (rows of op(a), columns of op(b))");
        }
        if (device.kind() == Device.Kind.CPU && transB == Transpose.T && (long) n * k > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("b: got shape " + Arrays.toString(b.shape()) + " with transB T, expected at most "
                    + (Integer.MAX_VALUE - 8) + " elements (a transposed B is copied into a float[] panel)");
        }
        TensorChecks.requireWritable("c", c);
        TensorChecks.requireNoOverlap(List.of(
                new TensorChecks.Buffer("a", a.segment(), false),
                new TensorChecks.Buffer("b", b.segment(), false),
                new TensorChecks.Buffer("c", c.segment(), true)));
        if (device.kind() == Device.Kind.CUDA) {
            GemmOnDevice.sgemm(device, transA == Transpose.T, transB == Transpose.T, m, n, k, alpha, a, b, beta, c);
            return;
        }
        GemmKernel.gemm(transA == Transpose.T, transB == Transpose.T, m, n, k, alpha, a.segment(), b.segment(), beta,
                c.segment(), vectorized);
    }

    private static void requireMatrix(String name, Tensor t) {
        if (t.shape().length != 2) {
            throw new IllegalArgumentException(name + ": got shape " + Arrays.toString(t.shape())
                    + ", expected a matrix [rows, columns]");
        }
    }

    private static int dim(String name, Tensor t, int i) {
        long d = t.shape()[i];
        if (d > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": got shape " + Arrays.toString(t.shape()) + ", dimension " + d
                    + " exceeds " + Integer.MAX_VALUE + ", the largest a GEMM indexes (int dimensions, as in BLAS)");
        }
        return (int) d;
    }
}
