package dev.fusedstep.cli;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;

/**
 * Where the demo's {@link Mlp} lives and how its element-wise parts run: on the CPU (heap arrays
 * and plain loops, {@link CpuMlpOps}) or on one CUDA device (device memory, the library's MLP
 * kernels, bias rows and column sums as GEMMs with a ones vector, {@link CudaMlpOps}). Everything
 * else is the library's public API, which dispatches on the tensors' device: the matrix products
 * ({@code Gemm}), the initializers, the optimizer, clipping and casts. So {@link Mlp},
 * {@link MlpTraining} and {@link MlpGolden} are one code path for both.
 */
interface MlpOps extends AutoCloseable {

    /** The implementation for {@code device}; on CUDA it takes device memory until {@link #close()}. */
    static MlpOps on(Device device) {
        return device.kind() == Device.Kind.CPU ? new CpuMlpOps() : new CudaMlpOps(device.index());
    }

    Device device();

    /** A zero-filled tensor of {@code dtype} and {@code shape} here (float32 on the CPU: a heap array). */
    Tensor allocate(DType dtype, long... shape);

    /** A tensor here with the values of the host tensor {@code host} (on the CPU, {@code host} itself). */
    Tensor upload(Tensor host);

    /** Sets the float32 tensor {@code t} (here) to {@code values}. */
    void copyIn(float[] values, Tensor t);

    /** The values of the float32 tensor {@code t} (here); on a GPU this waits for the queued work. */
    float[] toHost(Tensor t);

    /** Every row of {@code m} [rows, cols] set to {@code bias} [cols]. */
    void biasRows(Tensor m, Tensor bias);

    /** {@code sums[j]} = the sum over rows of {@code m[r][j]}: a bias gradient. */
    void columnSums(Tensor m, Tensor sums);

    /** {@code a = max(h, 0)}, as Math.max (NaN stays NaN). */
    void relu(Tensor h, Tensor a);

    /** {@code d = 0} wherever {@code !(h > 0)}: ReLU's gradient, 0 at 0 as in PyTorch. */
    void reluBackward(Tensor h, Tensor d);

    /** {@code dOut = (out - y) * scale} and the mean squared error of {@code out} against {@code y}, for {@link #loss()}. */
    void mse(Tensor out, Tensor y, float scale, Tensor dOut);

    /** The loss of the latest {@link #mse}, summed in double; on a GPU this reads it back, waiting for the queued work. */
    double loss();

    /** Frees what this holds (on a GPU after the queued work is done). */
    @Override
    void close();
}
