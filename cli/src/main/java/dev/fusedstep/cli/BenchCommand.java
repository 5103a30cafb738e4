package dev.fusedstep.cli;

import dev.fusedstep.bench.BenchRows;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code fusedstep bench [--quick] [--json FILE]}: runs the JMH suite of the bench module in
 * this process (each benchmark still gets its own forked JVM) and prints one row per kernel,
 * variant, layout and size: ns per parameter, GB/s, fraction of the same-traffic probe and the
 * speed-up over the scalar loop. JMH's progress goes to stderr, the table to stdout.
 */
final class BenchCommand {
    private BenchCommand() {}

    static final String USAGE = """
            usage: fusedstep bench [--quick] [--json FILE]
              --quick      AdamW and SGD momentum (float32) at 64K and 16M parameters: scalar, vector on one
                           thread and on all threads, and the same-traffic probe; 1 fork, 2 x 500 ms warm-up,
                           3 x 500 ms measurement (about 1.5 minutes on 2 cores)
                           without it: the suite but OptimizerBench at the annotations' settings (3 forks; about 3 hours)
              --json FILE  also write the rows as JSON (kernel, variant, layout, size, threads, ns_per_param,
                           gbps, probe_gbps, ratio_to_probe, speedup_vs_scalar)
            """;

    /** The parsed command line. */
    record Settings(boolean quick, Path json) {}

    /** The benchmarks {@code --quick} runs: float32 AdamW and SGD momentum, library variants and probe. */
    static final String QUICK_INCLUDE =
            "^dev\\.fusedstep\\.bench\\.(AdamWBench|SgdMomentumBench)\\.(scalar|vector1|vectorAll|probe)$";
    static final String[] QUICK_SIZES = {"65536", "16777216"};

    static int run(String[] args, PrintStream out, PrintStream err) {
        Settings s;
        try {
            s = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("fusedstep bench: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (s == null) {
            out.print(USAGE);
            return 0;
        }
        try {
            Path result = Files.createTempFile("fusedstep-bench-", ".json");
            try {
                err.println(describe(s));
                Options options = options(s, result);
                new Runner(options, OutputFormatFactory.createFormatInstance(err, VerboseMode.NORMAL)).run();
                report(Files.readString(result), s.json(), out);
            } finally {
                Files.deleteIfExists(result);
            }
            return 0;
        } catch (RunnerException e) {
            err.println("fusedstep bench: JMH failed: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("fusedstep bench: " + e.getMessage());
            return 1;
        }
    }

    /** The settings, or null for {@code --help}. */
    static Settings parse(String[] args) {
        boolean quick = false;
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--json" -> {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        throw new IllegalArgumentException("--json: got no file, expected --json FILE");
                    }
                    json = Path.of(args[++i]);
                }
                case "-h", "--help" -> {
                    return null;
                }
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "', expected --quick or --json FILE");
            }
        }
        return new Settings(quick, json);
    }

    /**
     * What the full run includes: every benchmark but OptimizerBench, whose grid (13 rules x 5
     * layouts x 5 sizes x 4 variants) alone would take about 9 hours here; bench/run picks from it.
     */
    static final String FULL_INCLUDE = "^dev\\.fusedstep\\.bench\\.(?!OptimizerBench\\.)";

    /** JMH options: the quick subset with short iterations, or everything at the annotations' settings. */
    static Options options(Settings s, Path result) {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .resultFormat(ResultFormatType.JSON)
                .result(result.toString());
        if (s.quick()) {
            b.include(QUICK_INCLUDE)
                    .param("size", QUICK_SIZES)
                    .param("layout", "f32")
                    .forks(1)
                    .warmupIterations(2)
                    .warmupTime(TimeValue.milliseconds(500))
                    .measurementIterations(3)
                    .measurementTime(TimeValue.milliseconds(500));
        } else {
            b.include(FULL_INCLUDE);
        }
        return b.build();
    }

    static String describe(Settings s) {
        return s.quick()
                ? "fusedstep bench --quick: AdamW and SGD momentum, f32, sizes 64K and 16M; scalar, vector1, vectorAll"
                        + " and probe; 1 fork, 2 x 500 ms warm-up, 3 x 500 ms measurement"
                : "fusedstep bench: the suite (AdamW, SGD momentum, casts, norm, STREAM; every layout and size) at"
                        + " 3 forks, 3 x 1 s warm-up, 5 x 1 s measurement; about 3 hours on 2 cores (try --quick;"
                        + " every other optimizer: bench/run 'OptimizerBench' with -p rule=... -p size=...)";
    }

    /** Prints the rows of a JMH JSON result and, when {@code json} is given, writes them there. */
    static void report(String jmhJson, Path json, PrintStream out) {
        List<BenchRows.Row> rows = BenchRows.rows(jmhJson);
        out.print(BenchRows.table(rows));
        out.println("GB/s from the bytes each kernel must move; \"of probe\" = probe time / its time;"
                + " \"x scalar\" = speed-up over the library's scalar loop.");
        if (json != null) {
            try {
                Files.writeString(json, BenchRows.json(rows) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException("--json " + json + ": " + e.getMessage(), e);
            }
            out.println("rows written to " + json);
        }
    }
}
