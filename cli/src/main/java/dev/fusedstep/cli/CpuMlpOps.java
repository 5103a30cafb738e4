package dev.fusedstep.cli;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import java.lang.foreign.Arena;

/**
 * The {@link MlpOps} of the CPU: float32 tensors are heap arrays, other dtypes (a BF16 run's
 * parameters and gradients) live in a shared arena (the optimizer's worker threads read and write
 * them too); the element-wise parts are plain loops, sums in double in row order.
 */
final class CpuMlpOps implements MlpOps {
    private final Arena arena = Arena.ofShared();
    private double loss;

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Tensor allocate(DType dtype, long... shape) {
        if (dtype != DType.F32) {
            return Tensor.allocate(arena, dtype, shape);
        }
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        return Tensor.of(new float[Math.toIntExact(count)], shape);
    }

    @Override
    public Tensor upload(Tensor host) {
        return host;
    }

    @Override
    public void copyIn(float[] values, Tensor t) {
        t.copyFrom(values);
    }

    @Override
    public float[] toHost(Tensor t) {
        return t.toFloatArray();
    }

    @Override
    public void biasRows(Tensor m, Tensor bias) {
        int cols = (int) bias.numel();
        for (long r = 0; r < m.shape()[0]; r++) {
            for (int j = 0; j < cols; j++) {
                m.setFloat(r * cols + j, bias.getFloat(j));
            }
        }
    }

    @Override
    public void columnSums(Tensor m, Tensor sums) {
        int cols = (int) sums.numel();
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (long r = 0; r < m.shape()[0]; r++) {
                s += m.getFloat(r * cols + j);
            }
            sums.setFloat(j, (float) s);
        }
    }

    @Override
    public void relu(Tensor h, Tensor a) {
        for (long i = 0; i < h.numel(); i++) {
            a.setFloat(i, Math.max(h.getFloat(i), 0f));
        }
    }

    @Override
    public void reluBackward(Tensor h, Tensor d) {
        for (long i = 0; i < d.numel(); i++) {
            if (!(h.getFloat(i) > 0f)) {
                d.setFloat(i, 0f);
            }
        }
    }

    @Override
    public void mse(Tensor out, Tensor y, float scale, Tensor dOut) {
        double sum = 0;
        long n = out.numel();
        for (long i = 0; i < n; i++) {
            float r = out.getFloat(i) - y.getFloat(i);
            sum += (double) r * r;
            dOut.setFloat(i, r * scale);
        }
        loss = sum / n;
    }

    @Override
    public double loss() {
        return loss;
    }

    @Override
    public void close() {
        arena.close();
    }
}
