package dev.fusedstep.optim;

/** Hyperparameter checks with PyTorch's ranges; every message names the argument, the value and what was expected. */
final class Check {
    private Check() {}

    static void nonNegative(String name, double value) {
        if (!(value >= 0.0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + ": got " + value + ", expected a finite value >= 0");
        }
    }

    /** For betas and similar decay rates: PyTorch accepts 0 <= beta < 1. */
    static void inUnitInterval(String name, double value) {
        if (!(value >= 0.0 && value < 1.0)) {
            throw new IllegalArgumentException(name + ": got " + value + ", expected 0 <= " + name + " < 1");
        }
    }

    /** For Adadelta's rho: PyTorch accepts 0 <= rho <= 1. */
    static void inClosedUnitInterval(String name, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(name + ": got " + value + ", expected 0 <= " + name + " <= 1");
        }
    }
}
