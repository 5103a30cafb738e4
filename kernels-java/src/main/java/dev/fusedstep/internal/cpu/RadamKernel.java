package dev.fusedstep.internal.cpu;

import dev.fusedstep.optim.RAdam;
import java.lang.foreign.MemorySegment;

/** Placeholder: torch.optim.RAdam is not implemented yet. */
final class RadamKernel extends OptimizerKernel {
    private final RAdam rule;

    RadamKernel(RAdam rule) {
        this.rule = rule;
    }

    @Override
    public int stateCount() {
        return rule.stateNames().size();
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        throw new UnsupportedOperationException("RAdam is not implemented yet");
    }

    @Override
    public void scalar(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("RAdam is not implemented yet");
    }

    @Override
    public void vector(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("RAdam is not implemented yet");
    }
}
