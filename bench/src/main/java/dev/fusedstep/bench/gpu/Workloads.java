package dev.fusedstep.bench.gpu;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.amp.GradScaler;
import dev.fusedstep.bench.Layout;
import dev.fusedstep.clip.GradClipping;
import dev.fusedstep.init.Init;
import dev.fusedstep.init.RandomStream;
import dev.fusedstep.internal.cuda.DeviceInit;
import dev.fusedstep.internal.cuda.DeviceLayouts;
import dev.fusedstep.internal.cuda.DeviceOps;
import dev.fusedstep.internal.cuda.TensorTable;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The device side of the cases: each method returns a {@link GpuCase.Setup} that builds random
 * tensors in the case's arena and a step that only queues work. Optimizer steps go through the
 * public {@link Optimizer} (CUDA tensors make it step on the device), the loss-scaled ones through
 * the public {@link GradScaler#queueStep}; the clip-only case chains the library's device ops
 * (DeviceOps) into {@link Optimizer#stepOnDevice}, since the public clipGradNorm returns the norm
 * and so waits. No step waits for the host. Runs only where there is a GPU.
 */
final class Workloads {
    private Workloads() {}

    /** Name of the first parameter, whose step count and values the check reads. */
    private static final String FIRST = "p0";

    /** An optimizer over the set: its step is {@code opt.step()}. */
    static GpuCase.Setup optimizer(OptimizerRule rule, Layout layout, String tensors) {
        return ctx -> OptimizerWorkload.build(ctx, rule, layout, tensors, null);
    }

    /**
     * A loss-scaled step through the public {@link GradScaler#queueStep(Optimizer)}: found-inf
     * zeroed, the read-only norm pass over every gradient (its found-inf output is the inf check),
     * 1/scale, the step reading the multiplier and the flag from device memory, the scale update;
     * all queued, no host synchronization.
     */
    static GpuCase.Setup lossScaled(OptimizerRule rule, String tensors) {
        return ctx -> OptimizerWorkload.build(ctx, rule, Layout.F32, tensors, (opt, grads) -> {
            GradScaler scaler = new GradScaler();
            return () -> scaler.queueStep(opt);
        });
    }

    /** clip_grad_norm_(max_norm 1) then the step: the L2 norm, the clip coefficient, the step scaled by it. */
    static GpuCase.Setup clipped(OptimizerRule rule, String tensors) {
        return ctx -> OptimizerWorkload.build(ctx, rule, Layout.F32, tensors, (opt, grads) -> {
            TensorTable rows = TensorTable.of(ctx.arena(), grads);
            MemorySegment partials = ctx.allocate(Math.max(1, rows.totalChunks()) * Double.BYTES);
            MemorySegment total = ctx.allocate(Double.BYTES);
            MemorySegment coefficient = ctx.allocate(Float.BYTES);
            return () -> {
                DeviceOps.norm(ctx.backend(), rows, DeviceLayouts.NORM_L2, 2.0, MemorySegment.NULL, partials, total,
                        MemorySegment.NULL);
                DeviceOps.clipCoefficient(ctx.backend(), total, 1.0, coefficient);
                opt.stepOnDevice(coefficient, MemorySegment.NULL);
            };
        });
    }

    /**
     * Loss-scaled and clipped through the public {@link GradScaler#queueStep(Optimizer, double, double)}:
     * one read-only L2 norm pass (found-inf and the unscaled norm), the clip coefficient times
     * 1/scale, the step reading that multiplier and the flag, the scale update; no host synchronization.
     */
    static GpuCase.Setup lossScaledAndClipped(OptimizerRule rule, String tensors) {
        return ctx -> OptimizerWorkload.build(ctx, rule, Layout.F32, tensors, (opt, grads) -> {
            GradScaler scaler = new GradScaler();
            return () -> scaler.queueStep(opt, 1.0, GradClipping.L2);
        });
    }

    /** normal_(0, 1) over one float32 tensor, queued through the library's kernel launcher (no wait). */
    static GpuCase.Setup normalQueued(String tensors) {
        return ctx -> InitWorkload.build(ctx, tensors, (t, step) -> DeviceInit.normal(ctx.backend(), t, 0, 7, step, 0f, 1f));
    }

    /** uniform_(0, 1) over one float32 tensor, queued (no wait). */
    static GpuCase.Setup uniformQueued(String tensors) {
        return ctx -> InitWorkload.build(ctx, tensors, (t, step) -> DeviceInit.uniform(ctx.backend(), t, 0, 7, step, 0f, 1f));
    }

    /** {@code Init.normal}, the public API: it waits for its kernel, so each step includes one host round trip. */
    static GpuCase.Setup normalPublic(String tensors) {
        return ctx -> InitWorkload.build(ctx, tensors, (t, step) -> Init.normal(t, RandomStream.of(7).withStream(step)));
    }

    /** Builds a step from an optimizer and the gradients; null means the plain {@code opt.step()}. */
    private interface StepFactory {
        Runnable create(Optimizer opt, List<Tensor> grads);
    }

    /** An optimizer over random parameters and gradients, and the step the case times. */
    private static final class OptimizerWorkload implements GpuCase.Workload {
        private final Optimizer opt;
        private final Runnable step;
        private final DeviceContext ctx;
        /** What the check reads: the first parameter, or its float32 master copy under master weights. */
        private final Tensor watched;

        private OptimizerWorkload(Optimizer opt, Runnable step, DeviceContext ctx, Tensor watched) {
            this.opt = opt;
            this.step = step;
            this.ctx = ctx;
            this.watched = watched;
        }

        static OptimizerWorkload build(DeviceContext ctx, OptimizerRule rule, Layout layout, String tensors,
                StepFactory factory) {
            List<long[]> shapes = TensorSets.shapes(tensors);
            List<Tensor> ps = ctx.randomTensors(layout.paramDtype(), shapes);
            List<Tensor> gs = ctx.randomTensors(layout.paramDtype(), shapes);
            List<Param> params = new ArrayList<>(ps.size());
            for (int i = 0; i < ps.size(); i++) {
                params.add(Param.of("p" + i, ps.get(i), gs.get(i)));
            }
            Optimizer opt = Optimizer.builder().group(rule, layout.precision(), params).build();
            try {
                Runnable step = factory == null ? opt::step : factory.create(opt, gs);
                Tensor watched = layout.precision().float32Master() ? opt.masterWeights(FIRST) : ps.get(0);
                return new OptimizerWorkload(opt, step, ctx, watched);
            } catch (RuntimeException e) {
                opt.close();
                throw e;
            }
        }

        @Override
        public void step() {
            step.run();
        }

        /** Every step taken (none skipped by a found-inf flag), and finite values in the first parameter. */
        @Override
        public String check(int steps) {
            long taken = opt.scalarState(FIRST).step();
            if (taken != steps) {
                return "step count " + taken + " after " + steps + " steps, expected " + steps + " (steps skipped?)";
            }
            return finiteHead(ctx, watched, FIRST);
        }

        @Override
        public void close() {
            opt.close();
        }
    }

    /** An initializer step over one float32 tensor; each step draws from the next Philox stream. */
    private static final class InitWorkload implements GpuCase.Workload {
        private interface Fill {
            void run(Tensor t, long step);
        }

        private final DeviceContext ctx;
        private final Tensor target;
        private final Fill fill;
        private long calls;

        private InitWorkload(DeviceContext ctx, Tensor target, Fill fill) {
            this.ctx = ctx;
            this.target = target;
            this.fill = fill;
        }

        static InitWorkload build(DeviceContext ctx, String tensors, Fill fill) {
            List<long[]> shapes = TensorSets.shapes(tensors);
            if (shapes.size() != 1) {
                throw new IllegalArgumentException("tensors: got " + tensors + ", expected a set of one tensor");
            }
            // starts as random data too, so a fill that writes nothing is caught by the check below
            return new InitWorkload(ctx, ctx.randomTensors(DType.F32, shapes).get(0), fill);
        }

        @Override
        public void step() {
            fill.run(target, calls++);
        }

        @Override
        public String check(int steps) {
            return finiteHead(ctx, target, "output");
        }
    }

    /** Null if the first 64 floats of {@code t} are finite and not all equal, else what is wrong. */
    private static String finiteHead(DeviceContext ctx, Tensor t, String what) {
        if (t.dtype() != DType.F32) {
            return null;  // only float32 values are read back here
        }
        int n = (int) Math.min(64, t.numel());
        float[] head = ctx.headFloats(t.segment(), n);
        boolean allEqual = true;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(head[i])) {
                return what + "[" + i + "] = " + head[i] + ", expected finite values";
            }
            allEqual &= head[i] == head[0];
        }
        return n > 1 && allEqual ? what + ": the first " + n + " values all equal " + head[0] : null;
    }
}
