package dev.fusedstep.schedule;

/** torch ExponentialLR: {@code lr = base * gamma^step}. */
public record ExponentialLR(double gamma) implements LrSchedule {
    public ExponentialLR {
        Checks.nonNegative("gamma", gamma);
    }

    @Override
    public double lr(long step, double baseLr) {
        LrSchedule.requireStep(step);
        return baseLr * Math.pow(gamma, step);
    }
}
