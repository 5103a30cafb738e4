package dev.fusedstep.init;

/**
 * Where an initializer's random numbers come from: a 64-bit {@code seed} (the Philox key) and a
 * 64-bit {@code stream} (the high half of the Philox counter). Element {@code i} of a tensor
 * always gets the same numbers for the same seed and stream, whatever the thread count, chunking
 * or device. Give each parameter its own stream (or seed) so that they differ.
 */
public record RandomStream(long seed, long stream) {

    /** Stream 0 of {@code seed}. */
    public static RandomStream of(long seed) {
        return new RandomStream(seed, 0);
    }

    /** The same seed, stream {@code stream}. */
    public RandomStream withStream(long stream) {
        return new RandomStream(seed, stream);
    }
}
