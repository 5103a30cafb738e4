package dev.fusedstep.cli;

import java.io.PrintStream;
import java.util.Arrays;

/** The {@code fusedstep} command: dispatches to one class per subcommand. */
public final class Main {
    private Main() {}

    static final String USAGE = """
            usage: fusedstep <command> [arguments]

            commands:
              demo [--help for options]  linear regression, then a small MLP trained with every optimizer:
                                   tables, progress, charts (SVG, PNG) and an HTML page; --check: PyTorch match
              info                 Java version, Vector API use, worker threads and GPU state here
              conformance DIR...   replay PyTorch optimizer trajectories (*.safetensors) and compare errors
                                   (--device cuda: on the GPU)
              inspect FILE         what a checkpoint holds (groups, tensors, steps, schedule, scaler) and
                                   whether its checksum holds
              bench [--quick] [--json FILE]  JMH benchmarks (see bench/README.md)
              help                 this text
            """;

    public static void main(String[] args) {
        // Exit explicitly: the exit code is the answer, whatever threads are still around.
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the process exit code (2 for a command line we cannot run). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            out.print(USAGE);
            return 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "demo" -> DemoCommand.run(rest, out, err);
                case "info" -> InfoCommand.run(rest, out, err);
                case "conformance" -> ConformanceCommand.run(rest);
                case "inspect" -> InspectCommand.run(rest, out, err);
                case "bench" -> BenchCommand.run(rest, out, err);
                case "help", "-h", "--help" -> {
                    out.print(USAGE);
                    yield 0;
                }
                default -> {
                    err.println("fusedstep: unknown command '" + args[0] + "'");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            // Bad settings (e.g. -Dfusedstep.threads=abc) come back as messages, not traces.
            err.println("fusedstep " + args[0] + ": " + e.getMessage());
            return 2;
        }
    }
}
