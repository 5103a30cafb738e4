package dev.fusedstep.internal.cpu;

import static dev.fusedstep.internal.cpu.Lanes.F;
import static dev.fusedstep.internal.cpu.Lanes.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The CPU loops of {@code dev.fusedstep.linalg.Gemm} (arguments already checked there). Row-major
 * float32: {@code C[i][j] = alpha * sum_p opA(i, p) * opB(p, j) + beta * C[i][j]}, the sum in
 * {@code p} order from zero with fused multiply-adds. The vector loop keeps one accumulator per
 * lane of a row of C and broadcasts {@code opA(i, p)}, so every lane does exactly the scalar
 * loop's operations and the two give the same bits (the last {@code n % L} columns of a row run
 * in masked lanes).
 *
 * <p>Both loops read {@code opB} row by row ({@code B[p][j..j+L)} contiguous); a transposed B is
 * first copied into that layout in a per-thread panel, kept and reused between calls.
 */
public final class GemmKernel {
    private GemmKernel() {}

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** A per-thread scratch panel: a heap array and its segment, replaced only when a larger one is needed. */
    private static final class Panel {
        float[] values = new float[0];
        MemorySegment segment = MemorySegment.ofArray(values);

        MemorySegment ensure(long floats) {
            if (values.length < floats) {
                values = new float[(int) floats];
                segment = MemorySegment.ofArray(values);
            }
            return segment;
        }
    }

    private static final ThreadLocal<Panel> PANEL = ThreadLocal.withInitial(Panel::new);

    /**
     * a is [m, k] ([k, m] when {@code transA}), b is [k, n] ([n, k] when {@code transB}), c is [m, n].
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a,
            MemorySegment b, float beta, MemorySegment c, boolean vectorized) {
        if (m == 0 || n == 0) {
            return;
        }
        MemorySegment rowsOfB = transB ? transposeIntoPanel(b, n, k) : b;
        if (vectorized) {
            Vectorized.gemm(transA, m, n, k, alpha, a, rowsOfB, beta, c);
        } else {
            scalar(transA, m, n, k, alpha, a, rowsOfB, beta, c);
        }
    }

    /** B [rows, cols] transposed into this thread's panel, [cols, rows]. */
    private static MemorySegment transposeIntoPanel(MemorySegment b, int rows, int cols) {
        MemorySegment panel = PANEL.get().ensure((long) rows * cols);
        for (long r = 0; r < rows; r++) {
            for (long q = 0; q < cols; q++) {
                panel.setAtIndex(FLOAT, q * rows + r, b.getAtIndex(FLOAT, r * cols + q));
            }
        }
        return panel;
    }

    /** opA(i, p): A[i][p], or A[p][i] when A is stored transposed ([k, m]). */
    static float opA(MemorySegment a, boolean transA, int m, int k, long i, long p) {
        return a.getAtIndex(FLOAT, transA ? p * m + i : i * k + p);
    }

    static void scalar(boolean transA, int m, int n, int k, float alpha, MemorySegment a, MemorySegment rowsOfB,
            float beta, MemorySegment c) {
        for (long i = 0; i < m; i++) {
            for (long j = 0; j < n; j++) {
                element(transA, m, n, k, alpha, a, rowsOfB, beta, c, i, j);
            }
        }
    }

    /** C[i][j] by the scalar loop. */
    static void element(boolean transA, int m, int n, int k, float alpha, MemorySegment a, MemorySegment rowsOfB,
            float beta, MemorySegment c, long i, long j) {
        float acc = 0f;
        for (long p = 0; p < k; p++) {
            acc = Math.fma(opA(a, transA, m, k, i, p), rowsOfB.getAtIndex(FLOAT, p * n + j), acc);
        }
        long at = i * n + j;
        float r = alpha * acc;
        c.setAtIndex(FLOAT, at, beta == 0f ? r : Math.fma(beta, c.getAtIndex(FLOAT, at), r));
    }

    private static final class Vectorized {
        private static final int L = F.length();
        private static final long BYTES = 4;

        static void gemm(boolean transA, int m, int n, int k, float alpha, MemorySegment a, MemorySegment rowsOfB,
                float beta, MemorySegment c) {
            int wide = n - n % (4 * L);
            int narrow = n - n % L;
            VectorMask<Float> tail = F.indexInRange(narrow, n);
            for (int i = 0; i < m; i++) {
                int j = 0;
                // Four accumulators share each broadcast of opA(i, p).
                for (; j < wide; j += 4 * L) {
                    FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
                    for (long p = 0; p < k; p++) {
                        FloatVector x = FloatVector.broadcast(F, opA(a, transA, m, k, i, p));
                        long row = (p * n + j) * BYTES;
                        s0 = x.fma(FloatVector.fromMemorySegment(F, rowsOfB, row, LE), s0);
                        s1 = x.fma(FloatVector.fromMemorySegment(F, rowsOfB, row + L * BYTES, LE), s1);
                        s2 = x.fma(FloatVector.fromMemorySegment(F, rowsOfB, row + 2 * L * BYTES, LE), s2);
                        s3 = x.fma(FloatVector.fromMemorySegment(F, rowsOfB, row + 3 * L * BYTES, LE), s3);
                    }
                    long out = ((long) i * n + j) * BYTES;
                    store(c, out, s0, alpha, beta);
                    store(c, out + L * BYTES, s1, alpha, beta);
                    store(c, out + 2 * L * BYTES, s2, alpha, beta);
                    store(c, out + 3 * L * BYTES, s3, alpha, beta);
                }
                for (; j < narrow; j += L) {
                    FloatVector s = FloatVector.zero(F);
                    for (long p = 0; p < k; p++) {
                        FloatVector x = FloatVector.broadcast(F, opA(a, transA, m, k, i, p));
                        s = x.fma(FloatVector.fromMemorySegment(F, rowsOfB, (p * n + j) * BYTES, LE), s);
                    }
                    store(c, ((long) i * n + j) * BYTES, s, alpha, beta);
                }
                if (j < n) { // the last n % L columns: masked lanes, the same per-lane operations
                    FloatVector s = FloatVector.zero(F);
                    for (long p = 0; p < k; p++) {
                        FloatVector x = FloatVector.broadcast(F, opA(a, transA, m, k, i, p));
                        s = x.fma(FloatVector.fromMemorySegment(F, rowsOfB, (p * n + j) * BYTES, LE, tail), s);
                    }
                    store(c, ((long) i * n + j) * BYTES, s, alpha, beta, tail);
                }
            }
        }

        /** alpha * sum, then fma(beta, c, alpha * sum) unless beta is 0: the scalar loop's two roundings. */
        private static void store(MemorySegment c, long offset, FloatVector sum, float alpha, float beta) {
            FloatVector r = sum.mul(alpha);
            if (beta != 0f) {
                r = FloatVector.fromMemorySegment(F, c, offset, LE).fma(FloatVector.broadcast(F, beta), r);
            }
            r.intoMemorySegment(c, offset, LE);
        }

        /** {@link #store} in the lanes of {@code mask} only. */
        private static void store(MemorySegment c, long offset, FloatVector sum, float alpha, float beta, VectorMask<Float> mask) {
            FloatVector r = sum.mul(alpha);
            if (beta != 0f) {
                r = FloatVector.fromMemorySegment(F, c, offset, LE, mask).fma(FloatVector.broadcast(F, beta), r);
            }
            r.intoMemorySegment(c, offset, LE, mask);
        }
    }
}
