package dev.fusedstep.checkpoint;

/**
 * A load that has been checked in full against the file and its target and can no longer fail
 * for a reason the file could cause: applying it only copies and assigns.
 */
@FunctionalInterface
interface Restore {
    void apply();
}
