package dev.fusedstep.internal.cpu;

import dev.fusedstep.optim.Adadelta;
import java.lang.foreign.MemorySegment;

/** Placeholder: torch.optim.Adadelta is not implemented yet. */
final class AdadeltaKernel extends OptimizerKernel {
    private final Adadelta rule;

    AdadeltaKernel(Adadelta rule) {
        this.rule = rule;
    }

    @Override
    public int stateCount() {
        return rule.stateNames().size();
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        throw new UnsupportedOperationException("Adadelta is not implemented yet");
    }

    @Override
    public void scalar(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("Adadelta is not implemented yet");
    }

    @Override
    public void vector(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("Adadelta is not implemented yet");
    }
}
