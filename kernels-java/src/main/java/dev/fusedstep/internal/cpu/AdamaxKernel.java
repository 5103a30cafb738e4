package dev.fusedstep.internal.cpu;

import dev.fusedstep.optim.Adamax;
import java.lang.foreign.MemorySegment;

/** Placeholder: torch.optim.Adamax is not implemented yet. */
final class AdamaxKernel extends OptimizerKernel {
    private final Adamax rule;

    AdamaxKernel(Adamax rule) {
        this.rule = rule;
    }

    @Override
    public int stateCount() {
        return rule.stateNames().size();
    }

    @Override
    public void prepare(long step, double muProduct, float[] s) {
        throw new UnsupportedOperationException("Adamax is not implemented yet");
    }

    @Override
    public void scalar(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("Adamax is not implemented yet");
    }

    @Override
    public void vector(float[] s, MemorySegment param, MemorySegment grad, MemorySegment[] states, long from, long to) {
        throw new UnsupportedOperationException("Adamax is not implemented yet");
    }
}
