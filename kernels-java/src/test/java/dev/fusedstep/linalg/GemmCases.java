package dev.fusedstep.linalg;

import dev.fusedstep.Tensor;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The GEMM tests' cases: every shape with every transpose pair, Gaussian operands, alpha 0.75 and
 * beta 0 (equal flags) or -1.5 (the others), A and B stored as op() needs them.
 */
record GemmCases(int m, int n, int k, Transpose ta, Transpose tb, float alpha, float beta, float[] a, float[] b, float[] c0) {

    static void forEach(Random r, int[][] shapes, Consumer<GemmCases> test) {
        for (int[] s : shapes) {
            for (Transpose ta : Transpose.values()) {
                for (Transpose tb : Transpose.values()) {
                    int m = s[0], n = s[1], k = s[2];
                    test.accept(new GemmCases(m, n, k, ta, tb, 0.75f, ta == tb ? 0f : -1.5f, GemmTest.random(r, m * k),
                            GemmTest.random(r, k * n), GemmTest.random(r, m * n)));
                }
            }
        }
    }

    /** A as stored: [m, k], or [k, m] for a transposed A. */
    Tensor aTensor() {
        return ta == Transpose.N ? Tensor.of(a, m, k) : Tensor.of(a, k, m);
    }

    Tensor bTensor() {
        return tb == Transpose.N ? Tensor.of(b, k, n) : Tensor.of(b, n, k);
    }

    /** Element (i, p) of op(A). */
    double opA(int i, int p) {
        return GemmTest.op(a, ta, ta == Transpose.N ? k : m, i, p);
    }

    double opB(int p, int j) {
        return GemmTest.op(b, tb, tb == Transpose.N ? n : k, p, j);
    }

    /** sum over p of |op(A)[i, p] op(B)[p, j]| times |alpha|, plus |beta c0[i, j]|: what the rounding error scales with. */
    double magnitude(int i, int j) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
            sum += Math.abs(opA(i, p) * opB(p, j));
        }
        return Math.abs(alpha) * sum + Math.abs(beta * c0[i * n + j]);
    }

    @Override
    public String toString() {
        return m + "x" + n + "x" + k + " " + ta + tb;
    }
}
