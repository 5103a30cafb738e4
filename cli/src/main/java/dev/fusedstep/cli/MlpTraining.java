package dev.fusedstep.cli;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import dev.fusedstep.amp.GradScaler;
import dev.fusedstep.cast.Casts;
import dev.fusedstep.clip.GradClipping;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.Precision;
import dev.fusedstep.schedule.CosineAnnealingLR;
import dev.fusedstep.schedule.LinearLR;
import dev.fusedstep.schedule.LrSchedule;
import dev.fusedstep.schedule.LrScheduler;
import dev.fusedstep.schedule.SequentialLR;
import java.util.ArrayList;
import java.util.List;

/**
 * One training run of the {@link Mlp} on an {@link MlpTask}, full-batch, with a linear warm-up
 * into a cosine decay and the gradients clipped to a total L2 norm of {@link #MAX_NORM}.
 * Float32 runs step float32 parameters; the mixed-precision run keeps the parameters and
 * gradients in BF16, the optimizer holding float32 master weights and states
 * ({@link Precision#masterWeights()}), and scales the loss with a {@link GradScaler}, which also
 * clips. The float32 network computes in either case: a BF16 run casts its parameters into it
 * before the forward pass and its gradients out of it after the backward pass. A run happens on
 * the CPU or on a CUDA device through the same calls: the library dispatches on the tensors'
 * device, and {@link MlpOps} holds what the network does element-wise.
 */
final class MlpTraining {
    static final double MAX_NORM = 1.0;

    /**
     * {@code loss[t]} the loss before step t and {@code lr[t]} the learning rate step t used
     * (t = 0..steps-1), the wall time of the whole run, the part in gradient clipping and the part
     * in the optimizer step (for a BF16 run, the loss scaler's step, which clips inside: no
     * separate clipping time), and the steps the loss scaler skipped. On a GPU the optimizer step
     * only queues its kernels (they run while the next forward pass is queued, and the next
     * loss read waits for them), so its time is the time to queue; the clipping reads the norm
     * back, so its time includes waiting for the device.
     */
    record Result(DemoOptimizers.Entry entry, Device device, double[] loss, double[] lr, long nanos, long clipNanos, long stepNanos,
            int skipped) {
        int steps() {
            return loss.length;
        }

        double finalLoss() {
            return loss[loss.length - 1];
        }

        double stepsPerSecond() {
            return steps() / (nanos / 1e9);
        }
    }

    /** Watches a run: called after every step with (step number, loss). */
    interface Listener {
        void step(int done, double loss);
    }

    private MlpTraining() {}

    /** The warm-up over the first tenth of the steps (at least one), then a cosine decay to 0 over the rest. */
    static LrSchedule schedule(int steps) {
        int warm = Math.max(1, steps / 10);
        return new SequentialLR(List.of(new LinearLR(0.01, 1.0, warm), new CosineAnnealingLR(Math.max(1, steps - warm))),
                new long[] {warm});
    }

    /** A run on {@code device} (the CPU, or a CUDA device): the same code, every tensor of it there. */
    static Result train(DemoOptimizers.Entry entry, MlpTask task, long seed, int steps, Device device, Listener listener) {
        double[] loss = new double[steps];
        double[] lr = new double[steps];
        long clipNanos = 0, stepNanos = 0;
        int skipped = 0;
        try (MlpOps ops = MlpOps.on(device)) {
            Mlp mlp = new Mlp(ops, (int) task.x().shape()[0]);
            MlpTask.initialize(mlp, seed);
            Tensor x = ops.upload(task.x()), y = ops.upload(task.y());
            List<Tensor> weights = mlp.params(), grads = mlp.grads();
            List<Param> params = new ArrayList<>();
            List<Tensor[]> halves = new ArrayList<>(); // {bf16 param, bf16 grad} per parameter, BF16 runs only
            for (int i = 0; i < Mlp.NAMES.size(); i++) {
                Tensor p = weights.get(i), g = grads.get(i);
                if (entry.bf16()) {
                    Tensor hp = ops.allocate(DType.BF16, p.shape());
                    Casts.convert(p, hp);
                    Tensor hg = ops.allocate(DType.BF16, g.shape());
                    halves.add(new Tensor[] {hp, hg});
                    params.add(Param.of(Mlp.NAMES.get(i), hp, hg));
                } else {
                    params.add(Param.of(Mlp.NAMES.get(i), p, g));
                }
            }
            Precision precision = entry.bf16() ? Precision.masterWeights() : Precision.defaults();
            Optimizer.Builder builder = Optimizer.builder();
            if (device.equals(Device.CPU)) {
                // One thread: 2,121 parameters are far below one 16K-element chunk, so handing them to
                // worker threads would cost more than the step itself (the bits are the same either way).
                builder.threads(1);
            }
            try (Optimizer opt = builder.group(entry.rule(), precision, params).build()) {
                LrScheduler scheduler = new LrScheduler(opt, schedule(steps));
                GradScaler scaler = new GradScaler();
                long start = System.nanoTime();
                for (int t = 0; t < steps; t++) {
                    lr[t] = scheduler.lr(0);
                    for (int i = 0; i < halves.size(); i++) {
                        Casts.convert(halves.get(i)[0], weights.get(i));
                    }
                    loss[t] = mlp.lossAndGradients(x, y, entry.bf16() ? scaler.scale() : 1f);
                    for (int i = 0; i < halves.size(); i++) {
                        Casts.convert(grads.get(i), halves.get(i)[1]);
                    }
                    long t0 = System.nanoTime();
                    if (entry.bf16()) {
                        skipped += scaler.step(opt, MAX_NORM, GradClipping.L2) ? 0 : 1;
                    } else {
                        GradClipping.clipGradNorm(grads, MAX_NORM, GradClipping.L2);
                        long t1 = System.nanoTime();
                        clipNanos += t1 - t0;
                        t0 = t1;
                        opt.step();
                    }
                    stepNanos += System.nanoTime() - t0;
                    scheduler.step();
                    listener.step(t + 1, loss[t]);
                }
                return new Result(entry, device, loss, lr, System.nanoTime() - start, clipNanos, stepNanos, skipped);
            }
        }
    }
}
