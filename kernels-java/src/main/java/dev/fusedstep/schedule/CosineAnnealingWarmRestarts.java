package dev.fusedstep.schedule;

/**
 * torch CosineAnnealingWarmRestarts (SGDR): cosine cycles of length {@code T_0}, each {@code T_mult}
 * times longer than the last, restarting at the base lr. The position in the cycle is found in
 * integers, as PyTorch's per-step counter does.
 */
public record CosineAnnealingWarmRestarts(long t0, long tMult, double etaMin) implements LrSchedule {
    public CosineAnnealingWarmRestarts {
        Checks.positive("T_0", t0);
        Checks.positive("T_mult", tMult);
        Checks.nonNegative("eta_min", etaMin);
    }

    /** PyTorch's defaults T_mult 1, eta_min 0. */
    public CosineAnnealingWarmRestarts(long t0) {
        this(t0, 1, 0.0);
    }

    @Override
    public double lr(long step, double baseLr) {
        LrSchedule.requireStep(step);
        long cycle = t0;
        long position = step;
        if (tMult == 1) {
            position = step % t0;
        } else {
            while (position >= cycle) {
                position -= cycle;
                cycle = Math.multiplyExact(cycle, tMult);
            }
        }
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * position / cycle)) / 2;
    }
}
