package dev.fusedstep.internal.cpu;

import dev.fusedstep.optim.RMSprop;
import java.lang.foreign.MemorySegment;

/** Placeholder: torch.optim.RMSprop is not implemented yet. */
final class RmspropKernel extends OptimizerKernel {
    private final RMSprop rule;

    RmspropKernel(RMSprop rule) {
        this.rule = rule;
    }

    @Override
    public int stateCount() {
        return rule.stateNames().size();
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        throw new UnsupportedOperationException("RMSprop is not implemented yet");
    }

    @Override
    public void scalar(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("RMSprop is not implemented yet");
    }

    @Override
    public void vector(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("RMSprop is not implemented yet");
    }
}
