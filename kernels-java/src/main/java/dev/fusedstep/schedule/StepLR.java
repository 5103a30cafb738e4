package dev.fusedstep.schedule;

/** torch StepLR: {@code lr = base * gamma^floor(step / step_size)}. */
public record StepLR(long stepSize, double gamma) implements LrSchedule {
    public StepLR {
        Checks.positive("step_size", stepSize);
        Checks.nonNegative("gamma", gamma);
    }

    /** PyTorch's default gamma 0.1. */
    public StepLR(long stepSize) {
        this(stepSize, 0.1);
    }

    @Override
    public double lr(long step, double baseLr) {
        LrSchedule.requireStep(step);
        return baseLr * Math.pow(gamma, step / stepSize);
    }
}
