package dev.fusedstep.cli;

/** {@code fusedstep conformance DIR}: placeholder until the conformance runner lands. */
final class ConformanceCommand {
    private ConformanceCommand() {}

    /** Runs the command; returns the process exit code (0 all pass, 1 a case misses the bar, 2 unreadable or unsupported). */
    static int run(String[] args) {
        System.err.println("conformance: not implemented yet");
        return 2;
    }
}
