package dev.fusedstep.init;

/**
 * torch.nn.init.orthogonal_'s matrix: a rows x cols standard normal matrix (the same draws as
 * {@link Init#normal} over the flattened tensor), transposed when rows < cols, its QR
 * factorization by Householder reflections in double, Q's columns multiplied by
 * sign(diag(R)) (so Q is the unique factor with a positive diagonal R, whatever the
 * reflection convention), transposed back, times the gain.
 */
final class Orthogonal {
    private Orthogonal() {}

    /** The row-major rows x cols result, in double. */
    static double[] matrix(int rows, int cols, double gain, RandomStream rng) {
        float[] normal = new float[rows * cols];
        Samplers.normal(rng, 0f, 1f).generate(0, normal, normal.length);
        boolean transposed = rows < cols;
        int m = transposed ? cols : rows; // m >= n
        int n = transposed ? rows : cols;
        // Column-major m x n: column j of A is a[j]; A = flattened, or its transpose.
        double[][] a = new double[n][m];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = normal[r * cols + c];
                if (transposed) {
                    a[r][c] = v;
                } else {
                    a[c][r] = v;
                }
            }
        }
        double[][] q = orthonormalColumns(a, m, n);
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = gain * (transposed ? q[r][c] : q[c][r]);
            }
        }
        return out;
    }

    /** Q of A = QR (m x n, m >= n, column-major), columns signed by diag(R); overwrites {@code a}. */
    static double[][] orthonormalColumns(double[][] a, int m, int n) {
        double[][] v = new double[n][];
        double[] vNorm2 = new double[n];
        double[] diag = new double[n];
        for (int k = 0; k < n; k++) {
            double[] col = a[k];
            double norm2 = 0;
            for (int i = k; i < m; i++) {
                norm2 += col[i] * col[i];
            }
            double norm = Math.sqrt(norm2);
            double alpha = col[k] > 0 ? -norm : norm; // reflect away from x to avoid cancellation
            double[] vk = new double[m - k];
            for (int i = k; i < m; i++) {
                vk[i - k] = col[i];
            }
            vk[0] -= alpha;
            double vv = 0;
            for (double x : vk) {
                vv += x * x;
            }
            v[k] = vk;
            vNorm2[k] = vv;
            diag[k] = alpha;
            if (vv == 0) {
                continue; // the column is already alpha e_k
            }
            for (int j = k + 1; j < n; j++) {
                reflect(vk, vv, a[j], k, m);
            }
        }
        double[][] q = new double[n][m];
        for (int j = 0; j < n; j++) {
            q[j][j] = 1;
        }
        for (int k = n - 1; k >= 0; k--) {
            if (vNorm2[k] == 0) {
                continue;
            }
            for (int j = k; j < n; j++) {
                reflect(v[k], vNorm2[k], q[j], k, m);
            }
        }
        for (int j = 0; j < n; j++) {
            double sign = Math.signum(diag[j]); // torch's sign(0) = 0
            for (int i = 0; i < m; i++) {
                q[j][i] *= sign;
            }
        }
        return q;
    }

    /** x[k..m) -= 2 v (v . x[k..m)) / (v . v). */
    private static void reflect(double[] v, double vv, double[] x, int k, int m) {
        double dot = 0;
        for (int i = k; i < m; i++) {
            dot += v[i - k] * x[i];
        }
        double f = 2 * dot / vv;
        for (int i = k; i < m; i++) {
            x[i] -= f * v[i - k];
        }
    }
}
