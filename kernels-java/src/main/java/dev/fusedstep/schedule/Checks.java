package dev.fusedstep.schedule;

/** Argument checks for schedule records; messages name the argument, the value and what was expected. */
final class Checks {
    private Checks() {}

    static void positive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + ": got " + v + ", expected a finite value > 0");
        }
    }

    static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + ": got " + v + ", expected > 0");
        }
    }

    static void nonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + ": got " + v + ", expected a finite value >= 0");
        }
    }

    static void nonNegative(String name, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + ": got " + v + ", expected >= 0");
        }
    }

    static void within(String name, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException(name + ": got " + v + ", expected " + lo + " <= " + name + " <= " + hi);
        }
    }
}
