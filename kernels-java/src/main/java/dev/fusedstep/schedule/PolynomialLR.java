package dev.fusedstep.schedule;

/** torch PolynomialLR: {@code base * (1 - min(step, total_iters) / total_iters)^power}. */
public record PolynomialLR(long totalIters, double power) implements LrSchedule {
    public PolynomialLR {
        Checks.positive("total_iters", totalIters);
        Checks.nonNegative("power", power);
    }

    /** PyTorch's defaults: total_iters 5, power 1. */
    public PolynomialLR() {
        this(5, 1.0);
    }

    @Override
    public double lr(long step, double baseLr) {
        LrSchedule.requireStep(step);
        return baseLr * Math.pow(1.0 - (double) Math.min(step, totalIters) / totalIters, power);
    }
}
