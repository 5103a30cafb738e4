package dev.fusedstep.internal.cpu;

import dev.fusedstep.optim.SGD;
import java.lang.foreign.MemorySegment;

/** Placeholder: torch.optim.SGD is not implemented yet. */
final class SgdKernel extends OptimizerKernel {
    private final SGD rule;

    SgdKernel(SGD rule) {
        this.rule = rule;
    }

    @Override
    public int stateCount() {
        return rule.stateNames().size();
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        throw new UnsupportedOperationException("SGD is not implemented yet");
    }

    @Override
    public void scalar(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("SGD is not implemented yet");
    }

    @Override
    public void vector(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("SGD is not implemented yet");
    }
}
