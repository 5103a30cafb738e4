package dev.fusedstep.schedule;

/** torch LinearLR: the factor moves linearly from start_factor to end_factor over total_iters steps, then stays. */
public record LinearLR(double startFactor, double endFactor, long totalIters) implements LrSchedule {
    public LinearLR {
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("start_factor: got " + startFactor + ", expected 0 < start_factor <= 1");
        }
        Checks.within("end_factor", endFactor, 0, 1);
        Checks.positive("total_iters", totalIters);
    }

    /** PyTorch's defaults: start_factor 1/3, end_factor 1, total_iters 5. */
    public LinearLR() {
        this(1.0 / 3, 1.0, 5);
    }

    @Override
    public double lr(long step, double baseLr) {
        LrSchedule.requireStep(step);
        return baseLr * (startFactor + (endFactor - startFactor) * Math.min(step, totalIters) / totalIters);
    }
}
