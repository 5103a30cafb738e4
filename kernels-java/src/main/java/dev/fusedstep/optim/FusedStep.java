package dev.fusedstep.optim;

import dev.fusedstep.Tensor;
import dev.fusedstep.internal.TensorChecks;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.cpu.OptimizerKernel;
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
        step(CpuBackend.shared(), rule, scalarState, param, grad, states);
    }

    static void step(CpuBackend backend, OptimizerRule rule, ScalarState scalarState, Tensor param, Tensor grad,
            Tensor... states) {
        if (rule == null) {
            throw new IllegalArgumentException("rule: got null, expected an optimizer rule");
        }
        if (scalarState == null) {
            throw new IllegalArgumentException("scalarState: got null, expected a ScalarState (new ScalarState() before the first step)");
        }
        List<String> names = rule.stateNames();
        int given = states == null ? 0 : states.length;
        if (given != names.size()) {
            throw new IllegalArgumentException("states: got " + given + " tensors, expected " + names.size() + " "
                    + names + " for " + rule.torchName());
        }
        TensorChecks.requireUsable("param", param);
        TensorChecks.requireWritable("param", param);
        TensorChecks.requireUsable("grad", grad);
        TensorChecks.requireSameLength("grad", grad, "param", param);
        List<TensorChecks.Buffer> buffers = new ArrayList<>();
        buffers.add(new TensorChecks.Buffer("param", param.segment(), true));
        buffers.add(new TensorChecks.Buffer("grad", grad.segment(), false));
        MemorySegment[] stateSegs = new MemorySegment[given];
        for (int s = 0; s < given; s++) {
            String sn = "states[" + s + "] (" + names.get(s) + ")";
            TensorChecks.requireUsable(sn, states[s]);
            TensorChecks.requireWritable(sn, states[s]);
            TensorChecks.requireSameLength(sn, states[s], "param", param);
            buffers.add(new TensorChecks.Buffer(sn, states[s].segment(), true));
            stateSegs[s] = states[s].segment();
        }
        TensorChecks.requireNoOverlap(buffers);

        OptimizerKernel kernel = OptimizerKernel.forRule(rule);
        scalarState.advance(kernel.momentumFactor(scalarState.step() + 1));
        float[] scalars = new float[OptimizerKernel.SCALAR_SLOTS];
        kernel.prepare(scalarState.step(), scalarState.muProduct(), scalars);
        long n = param.numel();
        MemorySegment p = param.segment(), g = grad.segment();
        int chunks = (int) ((n + CpuBackend.CHUNK - 1) / CpuBackend.CHUNK);
        backend.pool().run(chunks, c -> {
            long from = (long) c * CpuBackend.CHUNK;
            backend.update(kernel, scalars, p, g, stateSegs, from, Math.min(from + CpuBackend.CHUNK, n));
        }, TensorChecks.shareable(backend.pool(), buffers));
    }
}
