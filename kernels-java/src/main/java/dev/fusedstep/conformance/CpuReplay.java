package dev.fusedstep.conformance;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.ScalarState;
import java.lang.foreign.Arena;

/** A case on the CPU: an {@link Optimizer} over one float32 parameter, scalar or vector loops. */
final class CpuReplay implements CaseReplay {
    private static final String PARAM = "p";

    private final Arena arena = Arena.ofConfined();
    private final Tensor param;
    private final Tensor grad;
    private final Optimizer opt;

    CpuReplay(OptimizerRule rule, float[] param0, boolean vectorized, int threads) {
        param = Tensor.allocate(arena, DType.F32, param0.length);
        grad = Tensor.allocate(arena, DType.F32, param0.length);
        param.copyFrom(param0);
        opt = Optimizer.builder().group(rule, Param.of(PARAM, param, grad)).vectorized(vectorized).threads(threads).build();
    }

    @Override
    public String backend() {
        int threads = opt.threads();
        return (opt.vectorized() ? "vector" : "scalar") + ", " + threads + " thread" + (threads == 1 ? "" : "s");
    }

    @Override
    public void gradient(float[] values) {
        grad.copyFrom(values);
    }

    @Override
    public void step() {
        opt.step();
    }

    @Override
    public float[] param() {
        return param.toFloatArray();
    }

    @Override
    public float[] state(String name) {
        return opt.state(PARAM, name).toFloatArray();
    }

    @Override
    public ScalarState scalarState() {
        return opt.scalarState(PARAM);
    }

    @Override
    public void close() {
        opt.close();
        arena.close();
    }
}
