package dev.fusedstep.cli;

import java.io.PrintStream;

/** {@code fusedstep bench}: the JMH suite arrives with the benchmark work; until then it says where to look. */
final class BenchCommand {
    private BenchCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        err.println("bench: not available from the command yet; see bench/README.md for the JMH benchmarks"
                + " and how to run them with Maven");
        return 2;
    }
}
