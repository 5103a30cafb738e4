package dev.fusedstep.internal.cuda;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.bindings.KernelArgs;
import dev.fusedstep.internal.TensorChecks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Launches of a small MLP's element-wise kernels (native/src/main/cuda/tensor/mlp.cu) on a
 * backend's stream: ReLU, its gradient, and the mean squared error with its gradient, with the
 * CPU demo network's semantics. Each call checks its tensors (float32, on the backend's device,
 * equal lengths) before it queues anything, then returns without waiting; the loss stays in
 * device memory until the caller reads it. The matrix products, bias rows and column sums of
 * such a network are GEMMs ({@code linalg.Gemm} on device tensors), not kernels here.
 */
public final class MlpKernels {
    private MlpKernels() {}

    /** {@code a = Math.max(h, 0)} element-wise. */
    public static void relu(CudaBackend backend, Tensor h, Tensor a) {
        requirePair(backend, "h", h, "a", a);
        elementwise(backend, "fs_relu", h, a);
    }

    /** {@code d = 0} wherever {@code !(h > 0)}, in place: the gradient after the ReLU becomes the one before it. */
    public static void reluBackward(CudaBackend backend, Tensor h, Tensor d) {
        requirePair(backend, "h", h, "d", d);
        elementwise(backend, "fs_relu_backward", h, d);
    }

    /**
     * {@code grad = (out - y) * scale} element-wise and {@code *loss = mean((out - y)^2)} as a
     * double at {@code loss} (8 bytes of device memory), the sum in a fixed order. For the
     * gradient of {@code lossScale * MSE} pass {@code scale = 2f / n * lossScale}.
     */
    public static void mseLoss(CudaBackend backend, Tensor out, Tensor y, float scale, Tensor grad, MemorySegment loss) {
        requirePair(backend, "out", out, "grad", grad);
        TensorChecks.requireUsableOn("y", y, backend.device(), "the backend", DType.F32);
        TensorChecks.requireSameLength("y", y, "out", out);
        if (loss == null || loss.address() == 0) {
            throw new IllegalArgumentException("loss: got " + (loss == null ? "null" : "NULL")
                    + ", expected 8 bytes of device memory for the loss (a double)");
        }
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a).pointer(out.segment()).pointer(y.segment()).i64(out.numel()).f32(scale)
                    .pointer(grad.segment()).pointer(loss);
            backend.launch("fs_mse_loss", 1, DeviceLayouts.BLOCK_THREADS, args);
        }
    }

    private static void elementwise(CudaBackend backend, String kernel, Tensor in, Tensor inOut) {
        long n = in.numel();
        if (n == 0) {
            return;
        }
        long blocks = (n + DeviceLayouts.BLOCK_THREADS - 1) / DeviceLayouts.BLOCK_THREADS;
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a).pointer(in.segment()).pointer(inOut.segment()).i64(n);
            backend.launch(kernel, backend.gridFor(kernel, blocks), DeviceLayouts.BLOCK_THREADS, args);
        }
    }

    /** Both float32 on the backend's device with one length; {@code written} writable. */
    private static void requirePair(CudaBackend backend, String readName, Tensor read, String writtenName, Tensor written) {
        if (backend == null) {
            throw new IllegalArgumentException("backend: got null, expected a CUDA backend");
        }
        TensorChecks.requireUsableOn(readName, read, backend.device(), "the backend", DType.F32);
        TensorChecks.requireUsableOn(writtenName, written, backend.device(), "the backend", DType.F32);
        TensorChecks.requireSameLength(writtenName, written, readName, read);
        TensorChecks.requireWritable(writtenName, written);
    }
}
