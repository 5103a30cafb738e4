package dev.fusedstep.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The command line of {@code fusedstep demo}. {@link #parse} throws an
 * {@link IllegalArgumentException} naming the option, the value and what was expected; the
 * command turns it into exit code 2.
 *
 * @param device where to train: {@code cpu}, {@code cuda} or {@code auto}
 * @param steps MLP training steps per optimizer
 * @param seed seed of the data, the initial weights and the mini-batch order
 * @param out the folder the plots and the HTML page go to
 * @param optimizers the MLP runs to compare
 * @param check run only the golden check against PyTorch and exit 0 (pass) or 1 (fail)
 */
record DemoOptions(String device, int steps, long seed, Path out, List<DemoOptimizers.Entry> optimizers, boolean check) {

    static final int DEFAULT_STEPS = 400;
    static final Path DEFAULT_OUT = Path.of("fusedstep-demo-out");
    static final List<String> DEVICES = List.of("auto", "cpu", "cuda");

    static final String USAGE = """
            usage: fusedstep demo [--device auto|cpu|cuda] [--steps N] [--seed N] [--out DIR]
                                  [--optimizers LIST] [--check]
              --device      where to train the MLP (default auto: the CPU, and a usable GPU too;
                            cpu: the CPU only; cuda: the GPU only)
              --steps       MLP training steps per optimizer (default %d)
              --seed        seed of the data, the initial weights and the mini-batch order (default 0)
              --out         folder for the plots and index.html (default ./%s)
              --optimizers  comma separated, from: %s (default all)
              --check       only replay PyTorch's golden MLP run; exit 0 if every step's loss is
                            within 1e-4 (relative) of PyTorch float64, else 1
            """.formatted(DEFAULT_STEPS, DEFAULT_OUT, DemoOptimizers.names());

    static DemoOptions parse(String[] args) {
        String device = "auto";
        int steps = DEFAULT_STEPS;
        long seed = 0;
        Path out = DEFAULT_OUT;
        List<DemoOptimizers.Entry> optimizers = DemoOptimizers.all();
        boolean check = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (name.equals("--check")) {
                check = true;
                continue;
            }
            if (!List.of("--device", "--steps", "--seed", "--out", "--optimizers").contains(name)) {
                throw new IllegalArgumentException("got unknown argument '" + arg + "', expected one of --device, --steps,"
                        + " --seed, --out, --optimizers, --check");
            }
            String value;
            if (arg.contains("=")) {
                value = arg.substring(arg.indexOf('=') + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(name + ": got no value, expected one after it");
            }
            switch (name) {
                case "--device" -> device = device(value);
                case "--steps" -> steps = steps(value);
                case "--seed" -> seed = seed(value);
                case "--out" -> out = out(value);
                default -> optimizers = DemoOptimizers.select(value);
            }
        }
        return new DemoOptions(device, steps, seed, out, optimizers, check);
    }

    private static String device(String value) {
        String d = value.trim().toLowerCase(Locale.ROOT);
        if (!DEVICES.contains(d)) {
            throw new IllegalArgumentException("--device: got '" + value + "', expected auto, cpu or cuda");
        }
        return d;
    }

    private static int steps(String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // the message below says what was expected
        }
        throw new IllegalArgumentException("--steps: got '" + value + "', expected a whole number >= 1");
    }

    private static long seed(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--seed: got '" + value + "', expected a whole number");
        }
    }

    private static Path out(String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException("--out: got an empty path, expected a folder");
        }
        return Path.of(value);
    }
}
