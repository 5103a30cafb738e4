package dev.fusedstep.internal.cpu;

import dev.fusedstep.optim.NAdam;
import java.lang.foreign.MemorySegment;

/** Placeholder: torch.optim.NAdam is not implemented yet. */
final class NadamKernel extends OptimizerKernel {
    private final NAdam rule;

    NadamKernel(NAdam rule) {
        this.rule = rule;
    }

    @Override
    public int stateCount() {
        return rule.stateNames().size();
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        throw new UnsupportedOperationException("NAdam is not implemented yet");
    }

    @Override
    public void scalar(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("NAdam is not implemented yet");
    }

    @Override
    public void vector(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("NAdam is not implemented yet");
    }
}
