package dev.fusedstep.linalg;

import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cuda.DeviceBlas;
import java.lang.foreign.MemorySegment;

/**
 * {@link Gemm} on tensors of one CUDA device, already checked by the caller: the JVM's shared
 * pedantic cuBLAS handle for that device. cuBLAS is column-major and a row-major [r, c] matrix
 * is, read column-major, its c x r transpose with leading dimension c. So the row-major
 * {@code C = op(A) op(B)} ([m, n]) is the column-major {@code C^T = op(B)^T op(A)^T} (n x m):
 * sgemm with the operands swapped, each keeping its own transpose flag, and every leading
 * dimension the row length of the row-major buffer.
 */
final class GemmOnDevice {
    private GemmOnDevice() {}

    /** cuBLAS's column-major sgemm, as DeviceBlas takes it: a seam for checking the mapping against a reference. */
    interface ColumnMajorSgemm {
        void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda, MemorySegment b,
                int ldb, float beta, MemorySegment c, int ldc);
    }

    static void sgemm(Device device, boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b,
            float beta, Tensor c) {
        if (m == 0 || n == 0) {
            return;  // no element of C; cuBLAS would return at once too
        }
        rowMajor(DeviceBlas.shared(device.index())::sgemm, transA, transB, m, n, k, alpha, a, b, beta, c);
    }

    /** The row-major product [m, n] through a column-major {@code blas}. */
    static void rowMajor(ColumnMajorSgemm blas, boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a,
            Tensor b, float beta, Tensor c) {
        blas.sgemm(transB, transA, n, m, k, alpha, b.segment(), rowLength(b), a.segment(), rowLength(a), beta, c.segment(),
                rowLength(c));
    }

    /** The leading dimension of a row-major matrix read column-major: its columns (cuBLAS wants at least 1). */
    private static int rowLength(Tensor t) {
        return (int) Math.max(1, t.shape()[1]);
    }
}
