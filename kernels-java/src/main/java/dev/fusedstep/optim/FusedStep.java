package dev.fusedstep.optim;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.internal.TensorChecks;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.cpu.OptimizerKernel;
import dev.fusedstep.internal.cpu.StepTarget;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The stateless entry, for frameworks that keep their own optimizer state: one call is one
 * fused step of {@code rule} over a parameter, its gradient and its state buffers (in the
 * order of {@code rule.stateNames()}, initialized as PyTorch does: zeros, or Adagrad's
 * {@code initial_accumulator_value}). {@code scalarState} is advanced by one step.
 *
 * <p>Runs on the shared CPU backend (Vector API when available, all cores). Everything is
 * checked before anything is written.
 */
public final class FusedStep {
    private FusedStep() {}

    /** One step of {@code rule}; see the class comment. */
    public static void step(OptimizerRule rule, ScalarState scalarState, Tensor param, Tensor grad, Tensor... states) {
        step(CpuBackend.shared(), rule, scalarState, 1f, null, param, grad, states);
    }

    /**
     * One step with every gradient multiplied by {@code gradScale} in the kernel (loss-scale
     * unscaling, clip coefficient). Parameters, gradients and states may be F32, BF16 or F16:
     * the gradient in the parameter's dtype, all states in one dtype.
     */
    public static void step(OptimizerRule rule, ScalarState scalarState, float gradScale, Tensor param, Tensor grad,
            Tensor... states) {
        step(CpuBackend.shared(), rule, scalarState, gradScale, null, param, grad, states);
    }

    /**
     * One step on a float32 {@code master} copy of the half-precision {@code halfParam}: reads
     * the half gradient, updates master and (float32) states, and writes the master rounded to
     * nearest-even into {@code halfParam}, in one pass.
     */
    public static void stepWithMaster(OptimizerRule rule, ScalarState scalarState, float gradScale, Tensor master,
            Tensor halfParam, Tensor grad, Tensor... states) {
        if (halfParam == null) {
            throw new IllegalArgumentException("halfParam: got null, expected a BF16 or F16 tensor");
        }
        step(CpuBackend.shared(), rule, scalarState, gradScale, halfParam, master, grad, states);
    }

    static void step(CpuBackend backend, OptimizerRule rule, ScalarState scalarState, float gradScale, Tensor halfParam,
            Tensor param, Tensor grad, Tensor... states) {
        if (rule == null) {
            throw new IllegalArgumentException("rule: got null, expected an optimizer rule");
        }
        if (scalarState == null) {
            throw new IllegalArgumentException("scalarState: got null, expected a ScalarState (new ScalarState() before the first step)");
        }
        if (!Float.isFinite(gradScale)) {
            throw new IllegalArgumentException("gradScale: got " + gradScale + ", expected a finite multiplier");
        }
        List<String> names = rule.stateNames();
        int given = states == null ? 0 : states.length;
        if (given != names.size()) {
            throw new IllegalArgumentException("states: got " + given + " tensors, expected " + names.size() + " "
                    + names + " for " + rule.torchName());
        }
        String pn = halfParam != null ? "master" : "param";
        if (halfParam != null) {
            TensorChecks.requireUsable(pn, param);
            TensorChecks.requireUsable("halfParam", halfParam, DType.BF16, DType.F16);
            TensorChecks.requireWritable("halfParam", halfParam);
            TensorChecks.requireSameLength("halfParam", halfParam, pn, param);
        } else {
            TensorChecks.requireUsable(pn, param, DType.F32, DType.BF16, DType.F16);
        }
        TensorChecks.requireWritable(pn, param);
        DType gradType = halfParam != null ? halfParam.dtype() : param.dtype();
        TensorChecks.requireUsable("grad", grad, gradType);
        TensorChecks.requireSameLength("grad", grad, pn, param);
        List<TensorChecks.Buffer> buffers = new ArrayList<>();
        buffers.add(new TensorChecks.Buffer(pn, param.segment(), true));
        buffers.add(new TensorChecks.Buffer("grad", grad.segment(), false));
        if (halfParam != null) {
            buffers.add(new TensorChecks.Buffer("halfParam", halfParam.segment(), true));
        }
        MemorySegment[] stateSegs = new MemorySegment[given];
        DType stateType = param.dtype();
        for (int s = 0; s < given; s++) {
            String sn = "states[" + s + "] (" + names.get(s) + ")";
            // any storage dtype, but one for all states: the first one sets it
            TensorChecks.requireUsable(sn, states[s], s == 0 ? new DType[] {DType.F32, DType.BF16, DType.F16} : new DType[] {stateType});
            stateType = states[0].dtype();
            TensorChecks.requireWritable(sn, states[s]);
            TensorChecks.requireSameLength(sn, states[s], pn, param);
            buffers.add(new TensorChecks.Buffer(sn, states[s].segment(), true));
            stateSegs[s] = states[s].segment();
        }
        TensorChecks.requireNoOverlap(buffers);

        OptimizerKernel kernel = OptimizerKernel.forRule(rule);
        StepTarget target = new StepTarget(param.segment(), param.dtype(), grad.segment(), grad.dtype(), stateSegs, stateType,
                halfParam == null ? null : halfParam.segment(), halfParam == null ? null : halfParam.dtype(), false);
        scalarState.advance(kernel.momentumFactor(scalarState.step() + 1));
        float[] scalars = new float[OptimizerKernel.SCALAR_SLOTS];
        kernel.prepare(scalarState.step(), scalarState.muProduct(), scalars);
        scalars[OptimizerKernel.GRAD_SCALE] = gradScale;
        long n = param.numel();
        int chunks = (int) ((n + CpuBackend.CHUNK - 1) / CpuBackend.CHUNK);
        backend.pool().run(chunks, c -> {
            long from = (long) c * CpuBackend.CHUNK;
            backend.update(kernel, scalars, target, from, Math.min(from + CpuBackend.CHUNK, n));
        }, TensorChecks.shareable(backend.pool(), buffers));
    }
}
