package dev.fusedstep.cli;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.linalg.Gemm;
import dev.fusedstep.linalg.Transpose;
import java.util.List;

/**
 * The seeds' network, Linear(10,100) -> ReLU -> Linear(100,10) -> Linear(10,1), in PyTorch's
 * layout (weight [out, in], {@code y = x W^T + b}), with mean squared error, for a fixed batch
 * of {@code n} rows. Parameters, gradients and activations are float32 tensors on the device of
 * its {@link MlpOps} (heap arrays on the CPU, device memory on a GPU); every matrix product of
 * the forward and backward passes is a {@link Gemm} call, the element-wise parts are the ops'.
 * Buffers are allocated once, so a training step allocates nothing on the CPU.
 */
final class Mlp {
    static final int IN = 10, HIDDEN = 100, MIDDLE = 10, OUT = 1;
    /** Parameter names in PyTorch's order (also the golden file's tensor names). */
    static final List<String> NAMES = List.of("W1", "b1", "W2", "b2", "W3", "b3");

    final int n;
    final MlpOps ops;
    final Tensor w1, b1, w2, b2, w3, b3;
    final Tensor gw1, gb1, gw2, gb2, gw3, gb3;
    private final Tensor h1, a1, h2, out, dOut, dH2, dA1;

    Mlp(MlpOps ops, int n) {
        this.n = n;
        this.ops = ops;
        w1 = zeros(HIDDEN, IN);
        b1 = zeros(HIDDEN);
        w2 = zeros(MIDDLE, HIDDEN);
        b2 = zeros(MIDDLE);
        w3 = zeros(OUT, MIDDLE);
        b3 = zeros(OUT);
        gw1 = zeros(w1.shape());
        gb1 = zeros(b1.shape());
        gw2 = zeros(w2.shape());
        gb2 = zeros(b2.shape());
        gw3 = zeros(w3.shape());
        gb3 = zeros(b3.shape());
        h1 = zeros(n, HIDDEN);
        a1 = zeros(n, HIDDEN);
        h2 = zeros(n, MIDDLE);
        out = zeros(n, OUT);
        dOut = zeros(n, OUT);
        dH2 = zeros(n, MIDDLE);
        dA1 = zeros(n, HIDDEN);
    }

    private Tensor zeros(long... shape) {
        return ops.allocate(DType.F32, shape);
    }

    List<Tensor> params() {
        return List.of(w1, b1, w2, b2, w3, b3);
    }

    List<Tensor> grads() {
        return List.of(gw1, gb1, gw2, gb2, gw3, gb3);
    }

    /**
     * Forward and backward on {@code x} [n, 10] against {@code y} [n, 1] (both on the ops'
     * device): fills the gradients of {@code lossScale * MSE} and returns the (unscaled) loss,
     * summed in double.
     */
    double lossAndGradients(Tensor x, Tensor y, float lossScale) {
        // Forward: each layer's output starts as its bias rows; the GEMM adds x W^T (beta = 1).
        ops.biasRows(h1, b1);
        Gemm.gemm(Transpose.N, Transpose.T, 1f, x, w1, 1f, h1);
        ops.relu(h1, a1);
        ops.biasRows(h2, b2);
        Gemm.gemm(Transpose.N, Transpose.T, 1f, a1, w2, 1f, h2);
        ops.biasRows(out, b3);
        Gemm.gemm(Transpose.N, Transpose.T, 1f, h2, w3, 1f, out);

        // d(mean (out - y)^2)/d out = 2 (out - y) / n, as PyTorch's mse_loss backward.
        ops.mse(out, y, 2f / n * lossScale, dOut);

        // Backward: dW = dY^T X (T, N), dX = dY W (N, N), db = column sums of dY.
        Gemm.gemm(Transpose.T, Transpose.N, 1f, dOut, h2, 0f, gw3);
        ops.columnSums(dOut, gb3);
        Gemm.gemm(Transpose.N, Transpose.N, 1f, dOut, w3, 0f, dH2);
        Gemm.gemm(Transpose.T, Transpose.N, 1f, dH2, a1, 0f, gw2);
        ops.columnSums(dH2, gb2);
        Gemm.gemm(Transpose.N, Transpose.N, 1f, dH2, w2, 0f, dA1);
        ops.reluBackward(h1, dA1); // dA1 is now dH1
        Gemm.gemm(Transpose.T, Transpose.N, 1f, dA1, x, 0f, gw1);
        ops.columnSums(dA1, gb1);
        return ops.loss();
    }
}
