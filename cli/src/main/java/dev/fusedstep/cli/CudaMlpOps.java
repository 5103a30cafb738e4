package dev.fusedstep.cli;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.cuda.CudaBackend;
import dev.fusedstep.DeviceArena;
import dev.fusedstep.internal.cuda.MlpKernels;
import dev.fusedstep.linalg.Gemm;
import dev.fusedstep.linalg.Transpose;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@link MlpOps} of one CUDA device: tensors in a {@link DeviceArena}, ReLU and the loss as
 * the library's MLP kernels, and the bias rows and bias gradients as GEMMs with a ones vector
 * (a rank-1 product {@code ones[n,1] bias[1,c]} is exact; the column sums {@code ones[1,n] m[n,c]}
 * are cuBLAS's float32 sums, where the CPU sums in double). All of it is queued on the device's
 * shared stream, where Gemm, the initializers and the optimizer queue theirs, so it runs in
 * program order without the host waiting. The host waits at {@link #loss()}: the demo reads the
 * loss back once per step, to print and chart it (a training loop that did not need every
 * step's loss would read it less often).
 */
final class CudaMlpOps implements MlpOps {
    private final CudaBackend backend;
    private final DeviceArena arena;
    private final MemorySegment lossSlot;
    /** A ones column [n, 1] per length n. */
    private final Map<Long, Tensor> ones = new HashMap<>();

    CudaMlpOps(int ordinal) {
        backend = CudaBackend.shared(ordinal);
        arena = new DeviceArena(ordinal);
        lossSlot = arena.allocateBytes(Double.BYTES);
    }

    @Override
    public Device device() {
        return backend.device();
    }

    @Override
    public Tensor allocate(DType dtype, long... shape) {
        return arena.allocate(dtype, shape);
    }

    @Override
    public Tensor upload(Tensor host) {
        return arena.upload(host);
    }

    @Override
    public void copyIn(float[] values, Tensor t) {
        DeviceArena.copy(Tensor.of(values, t.shape()), t);  // waits, and stages the heap array itself
    }

    @Override
    public float[] toHost(Tensor t) {
        float[] out = new float[Math.toIntExact(t.numel())];
        DeviceArena.copy(t, Tensor.of(out, t.shape()));  // the legacy stream: waits for the backend's queued work
        return out;
    }

    @Override
    public void biasRows(Tensor m, Tensor bias) {
        biasRowsByGemm(ones(m.shape()[0]), m, bias);
    }

    @Override
    public void columnSums(Tensor m, Tensor sums) {
        columnSumsByGemm(ones(m.shape()[0]), m, sums);
    }

    /** {@code m = ones[rows, 1] bias[1, cols]}: each element one product by 1, so exactly the bias. */
    static void biasRowsByGemm(Tensor onesColumn, Tensor m, Tensor bias) {
        Gemm.gemm(Transpose.N, Transpose.N, 1f, onesColumn, asRow(bias), 0f, m);
    }

    /** {@code sums[1, cols] = ones[1, rows] m[rows, cols]}: the ones column read as a row. */
    static void columnSumsByGemm(Tensor onesColumn, Tensor m, Tensor sums) {
        Gemm.gemm(Transpose.N, Transpose.N, 1f, asRow(onesColumn), m, 0f, asRow(sums));
    }

    @Override
    public void relu(Tensor h, Tensor a) {
        MlpKernels.relu(backend, h, a);
    }

    @Override
    public void reluBackward(Tensor h, Tensor d) {
        MlpKernels.reluBackward(backend, h, d);
    }

    @Override
    public void mse(Tensor out, Tensor y, float scale, Tensor dOut) {
        MlpKernels.mseLoss(backend, out, y, scale, dOut, lossSlot);
    }

    @Override
    public double loss() {
        return Double.longBitsToDouble(backend.readLong(lossSlot, 0));
    }

    @Override
    public void close() {
        try {
            backend.synchronize();
        } finally {
            arena.close();
        }
    }

    private Tensor ones(long n) {
        return ones.computeIfAbsent(n, k -> {
            float[] values = new float[Math.toIntExact(k)];
            Arrays.fill(values, 1f);
            return arena.upload(Tensor.of(values, k, 1));
        });
    }

    /** A vector [c] viewed as the matrix [1, c] that Gemm takes. */
    private static Tensor asRow(Tensor v) {
        return Tensor.of(v.segment(), v.dtype(), v.device(), 1, v.numel());
    }
}
