package dev.fusedstep.bench.gpu;

import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * GpuBench's command line. Every flag is checked here; a bad one throws an
 * IllegalArgumentException naming the flag, the value and what was expected.
 *
 * @param list     print the selected cases and exit (no GPU needed)
 * @param dryRun   run everything with made-up times, touching no GPU
 * @param quick    fewer samples (3 warm-up, 15 timed)
 * @param cases    a regular expression a case id must contain (null: every case)
 * @param repeats  timed steps per case (null: 50, or 15 with --quick)
 * @param warmup   warm-up steps per case, at least (null: 5, or 3 with --quick)
 * @param warmupSeconds warm-up time per case, at least (null: 0.5, or 0.2 with --quick)
 * @param budgetSeconds cases that would start after this many seconds are skipped
 * @param json     where to write the rows (rewritten after every case), or null
 * @param markdown where to write the Markdown table beside PyTorch, or null
 * @param torch    torch_optim.py's --json rows from the same run, or null
 * @param device   the CUDA device ordinal
 * @param help     print the usage and exit
 */
record GpuBenchOptions(boolean list, boolean dryRun, boolean quick, Pattern cases, Integer repeats, Integer warmup,
        Double warmupSeconds, double budgetSeconds, Path json, Path markdown, Path torch, int device, boolean help) {

    static final double DEFAULT_BUDGET_S = 300;

    static final String USAGE = """
            java -cp benchmarks.jar dev.fusedstep.bench.gpu.GpuBench [flags]
              --list            the cases (ids, labels, bytes, targets) and exit; needs no GPU
              --dry-run         everything with made-up times, no GPU touched
              --quick           15 timed steps per case after 3 and 0.2 s of warm-up (default 50, 5 and 0.5 s)
              --cases REGEX     only the cases whose id contains a match, e.g. 'adamw-f32|normal'
              --repeats N       timed steps per case
              --warmup N        warm-up steps per case, at least
              --warmup-s S      warm-up seconds per case, at least (the JVM compiles the host side meanwhile)
              --budget-s S      skip the cases that would start after S seconds (default 300)
              --json FILE       the rows (torch_optim.py's fields, then ours), rewritten after every case
              --md FILE         Markdown: our rows beside PyTorch's, ratio, targets met or missed
              --torch FILE      torch_optim.py --json output of the same run (for --md and the ratios)
              --device N        CUDA device ordinal (default 0)
            """;

    int repeatsOrDefault() {
        return repeats != null ? repeats : quick ? 15 : 50;
    }

    int warmupOrDefault() {
        return warmup != null ? warmup : quick ? 3 : 5;
    }

    double warmupSecondsOrDefault() {
        return warmupSeconds != null ? warmupSeconds : quick ? 0.2 : 0.5;
    }

    Repetitions repetitions() {
        return new Repetitions(warmupOrDefault(), warmupSecondsOrDefault(), repeatsOrDefault());
    }

    static GpuBenchOptions parse(String... args) {
        boolean list = false, dryRun = false, quick = false, help = false;
        Pattern cases = null;
        Integer repeats = null, warmup = null;
        Double warmupSeconds = null;
        double budget = DEFAULT_BUDGET_S;
        Path json = null, markdown = null, torch = null;
        int device = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--list" -> list = true;
                case "--dry-run" -> dryRun = true;
                case "--quick" -> quick = true;
                case "--help", "-h" -> help = true;
                case "--cases" -> cases = pattern(value(args, i++));
                case "--repeats" -> repeats = positiveInt(a, value(args, i++));
                case "--warmup" -> warmup = nonNegativeInt(a, value(args, i++));
                case "--warmup-s" -> warmupSeconds = seconds(a, value(args, i++), false);
                case "--budget-s" -> budget = seconds(a, value(args, i++), true);
                case "--json" -> json = Path.of(value(args, i++));
                case "--md" -> markdown = Path.of(value(args, i++));
                case "--torch" -> torch = Path.of(value(args, i++));
                case "--device" -> device = nonNegativeInt(a, value(args, i++));
                default -> throw new IllegalArgumentException("argument " + (i + 1) + ": got \"" + a
                        + "\", expected one of --list --dry-run --quick --cases --repeats --warmup --warmup-s --budget-s --json"
                        + " --md --torch --device --help");
            }
        }
        return new GpuBenchOptions(list, dryRun, quick, cases, repeats, warmup, warmupSeconds, budget, json, markdown, torch,
                device, help);
    }

    private static String value(String[] args, int i) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
            throw new IllegalArgumentException(args[i] + ": got no value, expected one after it");
        }
        return args[i + 1];
    }

    private static Pattern pattern(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("--cases: got \"" + regex + "\", expected a regular expression ("
                    + e.getDescription() + ")");
        }
    }

    private static int positiveInt(String flag, String v) {
        int n = nonNegativeInt(flag, v);
        if (n < 1) {
            throw new IllegalArgumentException(flag + ": got " + v + ", expected a whole number >= 1");
        }
        return n;
    }

    private static int nonNegativeInt(String flag, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(flag + ": got \"" + v + "\", expected a whole number >= 0");
    }

    private static double seconds(String flag, String v, boolean positive) {
        try {
            double s = Double.parseDouble(v);
            if ((positive ? s > 0 : s >= 0) && Double.isFinite(s)) {
                return s;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(flag + ": got \"" + v + "\", expected a number of seconds " + (positive ? "> 0" : ">= 0"));
    }
}
