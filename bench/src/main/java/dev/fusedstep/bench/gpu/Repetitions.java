package dev.fusedstep.bench.gpu;

import java.util.Locale;

/**
 * How often a case steps: at least {@code warmup} warm-up steps and at least {@code warmupSeconds}
 * of them by the host clock (the JVM compiles the host side of a step, the launches and their
 * arguments, only after thousands of calls; a few interpreted warm-up steps would leave the timed
 * steps slowed by the host where the GPU is fast), then {@code repeats} timed steps.
 */
record Repetitions(int warmup, double warmupSeconds, int repeats) {

    Repetitions {
        if (warmup < 0 || !(warmupSeconds >= 0) || Double.isInfinite(warmupSeconds) || repeats < 1) {
            throw new IllegalArgumentException("warmup, warmupSeconds, repeats: got " + warmup + ", " + warmupSeconds
                    + ", " + repeats + ", expected >= 0, a finite >= 0 and >= 1");
        }
    }

    /** "50 timed steps after at least 5 warm-up steps and 0.5 s". */
    String describe() {
        return String.format(Locale.ROOT, "%d timed steps after at least %d warm-up steps and %.1f s of them", repeats,
                warmup, warmupSeconds);
    }
}
