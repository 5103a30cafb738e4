package dev.fusedstep.schedule;

/**
 * torch CosineAnnealingLR in its closed form, {@code eta_min + (base - eta_min) * (1 + cos(pi * step / T_max)) / 2},
 * which PyTorch's recursive update follows to rounding error (and which continues as a cosine past T_max, as PyTorch's does).
 */
public record CosineAnnealingLR(long tMax, double etaMin) implements LrSchedule {
    public CosineAnnealingLR {
        Checks.positive("T_max", tMax);
        Checks.nonNegative("eta_min", etaMin);
    }

    /** PyTorch's default eta_min 0. */
    public CosineAnnealingLR(long tMax) {
        this(tMax, 0.0);
    }

    @Override
    public double lr(long step, double baseLr) {
        LrSchedule.requireStep(step);
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * step / tMax)) / 2;
    }
}
