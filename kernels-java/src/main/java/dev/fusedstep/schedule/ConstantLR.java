package dev.fusedstep.schedule;

/** torch ConstantLR: {@code base * factor} for the first total_iters steps, then base. */
public record ConstantLR(double factor, long totalIters) implements LrSchedule {
    public ConstantLR {
        Checks.within("factor", factor, 0, 1);
        Checks.nonNegative("total_iters", totalIters);
    }

    /** PyTorch's defaults: factor 1/3, total_iters 5. */
    public ConstantLR() {
        this(1.0 / 3, 5);
    }

    @Override
    public double lr(long step, double baseLr) {
        LrSchedule.requireStep(step);
        return step < totalIters ? baseLr * factor : baseLr;
    }
}
