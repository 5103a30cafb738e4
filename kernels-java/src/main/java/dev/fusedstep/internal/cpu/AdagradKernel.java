package dev.fusedstep.internal.cpu;

import dev.fusedstep.optim.Adagrad;
import java.lang.foreign.MemorySegment;

/** Placeholder: torch.optim.Adagrad is not implemented yet. */
final class AdagradKernel extends OptimizerKernel {
    private final Adagrad rule;

    AdagradKernel(Adagrad rule) {
        this.rule = rule;
    }

    @Override
    public int stateCount() {
        return rule.stateNames().size();
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        throw new UnsupportedOperationException("Adagrad is not implemented yet");
    }

    @Override
    public void scalar(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("Adagrad is not implemented yet");
    }

    @Override
    public void vector(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("Adagrad is not implemented yet");
    }
}
