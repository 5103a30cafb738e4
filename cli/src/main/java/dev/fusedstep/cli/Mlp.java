package dev.fusedstep.cli;

import dev.fusedstep.Tensor;
import dev.fusedstep.linalg.Gemm;
import dev.fusedstep.linalg.Transpose;
import java.util.List;

/**
 * The seeds' network, Linear(10,100) -> ReLU -> Linear(100,10) -> Linear(10,1), in PyTorch's
 * layout (weight [out, in], {@code y = x W^T + b}), with mean squared error, for a fixed batch
 * of {@code n} rows. Parameters, gradients and activations are float32 heap arrays wrapped as
 * tensors; every matrix product of the forward and backward passes is a {@link Gemm} call.
 * Buffers are allocated once, so a training step allocates nothing.
 */
final class Mlp {
    static final int IN = 10, HIDDEN = 100, MIDDLE = 10, OUT = 1;
    /** Parameter names in PyTorch's order (also the golden file's tensor names). */
    static final List<String> NAMES = List.of("W1", "b1", "W2", "b2", "W3", "b3");

    final int n;
    final Tensor w1 = zeros(HIDDEN, IN), b1 = zeros(HIDDEN), w2 = zeros(MIDDLE, HIDDEN), b2 = zeros(MIDDLE);
    final Tensor w3 = zeros(OUT, MIDDLE), b3 = zeros(OUT);
    final Tensor gw1 = zeros(HIDDEN, IN), gb1 = zeros(HIDDEN), gw2 = zeros(MIDDLE, HIDDEN), gb2 = zeros(MIDDLE);
    final Tensor gw3 = zeros(OUT, MIDDLE), gb3 = zeros(OUT);
    private final Tensor h1, a1, h2, out, dOut, dH2, dA1;

    Mlp(int n) {
        this.n = n;
        h1 = zeros(n, HIDDEN);
        a1 = zeros(n, HIDDEN);
        h2 = zeros(n, MIDDLE);
        out = zeros(n, OUT);
        dOut = zeros(n, OUT);
        dH2 = zeros(n, MIDDLE);
        dA1 = zeros(n, HIDDEN);
    }

    private static Tensor zeros(long... shape) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        return Tensor.of(new float[(int) count], shape);
    }

    List<Tensor> params() {
        return List.of(w1, b1, w2, b2, w3, b3);
    }

    List<Tensor> grads() {
        return List.of(gw1, gb1, gw2, gb2, gw3, gb3);
    }

    /**
     * Forward and backward on {@code x} [n, 10] against {@code y} [n, 1]: fills the gradients of
     * {@code lossScale * MSE} and returns the (unscaled) loss, summed in double.
     */
    double lossAndGradients(Tensor x, Tensor y, float lossScale) {
        // Forward: each layer's output starts as its bias rows; the GEMM adds x W^T (beta = 1).
        biasRows(h1, b1);
        Gemm.gemm(Transpose.N, Transpose.T, 1f, x, w1, 1f, h1);
        for (long i = 0; i < h1.numel(); i++) {
            a1.setFloat(i, Math.max(h1.getFloat(i), 0f));
        }
        biasRows(h2, b2);
        Gemm.gemm(Transpose.N, Transpose.T, 1f, a1, w2, 1f, h2);
        biasRows(out, b3);
        Gemm.gemm(Transpose.N, Transpose.T, 1f, h2, w3, 1f, out);

        // d(mean (out - y)^2)/d out = 2 (out - y) / n, as PyTorch's mse_loss backward.
        double sum = 0;
        float scale = 2f / n * lossScale;
        for (int i = 0; i < n; i++) {
            float r = out.getFloat(i) - y.getFloat(i);
            sum += (double) r * r;
            dOut.setFloat(i, r * scale);
        }

        // Backward: dW = dY^T X (T, N), dX = dY W (N, N), db = column sums of dY.
        Gemm.gemm(Transpose.T, Transpose.N, 1f, dOut, h2, 0f, gw3);
        columnSums(dOut, gb3);
        Gemm.gemm(Transpose.N, Transpose.N, 1f, dOut, w3, 0f, dH2);
        Gemm.gemm(Transpose.T, Transpose.N, 1f, dH2, a1, 0f, gw2);
        columnSums(dH2, gb2);
        Gemm.gemm(Transpose.N, Transpose.N, 1f, dH2, w2, 0f, dA1);
        for (long i = 0; i < dA1.numel(); i++) {
            if (!(h1.getFloat(i) > 0f)) {
                dA1.setFloat(i, 0f); // ReLU's gradient, 0 at 0 as in PyTorch; dA1 is now dH1
            }
        }
        Gemm.gemm(Transpose.T, Transpose.N, 1f, dA1, x, 0f, gw1);
        columnSums(dA1, gb1);
        return sum / n;
    }

    /** Every row of {@code m} [rows, cols] set to {@code bias} [cols]. */
    private static void biasRows(Tensor m, Tensor bias) {
        int cols = (int) bias.numel();
        for (long r = 0; r < m.shape()[0]; r++) {
            for (int j = 0; j < cols; j++) {
                m.setFloat(r * cols + j, bias.getFloat(j));
            }
        }
    }

    /** {@code sums[j]} = sum over rows of {@code m[r][j]}, accumulated in double in row order. */
    private static void columnSums(Tensor m, Tensor sums) {
        int cols = (int) sums.numel();
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (long r = 0; r < m.shape()[0]; r++) {
                s += m.getFloat(r * cols + j);
            }
            sums.setFloat(j, (float) s);
        }
    }
}
