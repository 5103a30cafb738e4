package dev.fusedstep.cli;

import dev.fusedstep.conformance.CaseResult;
import dev.fusedstep.conformance.Conformance;
import dev.fusedstep.conformance.ErrorStats;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import dev.fusedstep.optim.UnsupportedRuleException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code fusedstep conformance DIR [--scalar] [--threads N] [--device cpu|cuda[:N]]}: replays every
 * PyTorch optimizer case in DIR (the golden {@code .safetensors} files) on the CPU loops or on a
 * GPU, and prints, per case, our error against float64 relative to PyTorch float32's.
 *
 * <p>Exit status: 0 every case meets the bar, 1 some case misses it, 2 a file cannot be read,
 * names an optimizer or argument fusedstep does not support, or the arguments are wrong.
 */
final class ConformanceCommand {
    private ConformanceCommand() {}

    static final int OK = 0, MISSED = 1, ERROR = 2;

    static final String USAGE = """
            usage: fusedstep conformance DIR [--scalar] [--threads N] [--device cpu|cuda[:N]]
              DIR          a folder of PyTorch reference cases (.safetensors files holding param0)
              --scalar     run the scalar loops (default: the Vector API loops where available)
              --threads N  worker threads per step, N >= 1 (default: all cores)
              --device D   cpu (default), or cuda / cuda:N: the GPU backend's step kernels on device N
            A case passes when, at every step, every element is within 2 x PyTorch float32's largest
            error (+1e-7) of PyTorch float64, and the mean error is at most 2 x PyTorch float32's.
            Exit status: 0 all pass, 1 a case misses the bar, 2 unreadable or unsupported input.""";

    /** Runs the command; returns the process exit code (0 all pass, 1 a case misses the bar, 2 unreadable or unsupported). */
    static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException ex) {
            err.println("conformance: " + ex.getMessage());
            err.println(USAGE);
            return ERROR;
        }
        if (o == null) {
            out.println(USAGE);
            return OK;
        }
        if (!Files.isDirectory(o.dir)) {
            err.println("conformance: DIR: got " + o.dir + ", expected an existing folder of .safetensors case files");
            return ERROR;
        }

        boolean vectorAvailable = VectorizationProvider.getInstance().vectorized();
        boolean vectorized = !o.scalar && vectorAvailable;
        if (o.cudaOrdinal >= 0) {
            String why = Conformance.cudaUnavailableReason();
            if (why != null) {
                err.println("conformance: --device cuda:" + o.cudaOrdinal + ": no GPU backend here: " + why);
                return ERROR;
            }
            out.println("conformance: " + o.dir + " on cuda:" + o.cudaOrdinal + " (the GPU backend's step kernels)");
        } else {
            out.println("conformance: " + o.dir + " on the " + (vectorized ? "vector" : "scalar") + " loops, "
                    + o.threads + " thread" + (o.threads == 1 ? "" : "s")
                    + (!o.scalar && !vectorAvailable ? " (" + VectorizationProvider.getInstance().describe() + ")" : ""));
        }

        List<Path> files;
        try {
            files = Conformance.safetensorsFiles(o.dir);
        } catch (IOException ex) {
            err.println("conformance: " + ex.getMessage());
            return ERROR;
        }

        List<String[]> rows = new ArrayList<>();
        List<String> details = new ArrayList<>();
        int passed = 0, missed = 0, errors = 0;
        for (Path f : files) {
            String name = caseName(f);
            try {
                if (!Conformance.isCaseFile(f)) {
                    continue; // schedules, casts... share the folder; they are not optimizer cases
                }
                CaseResult r = o.cudaOrdinal >= 0 ? Conformance.runOnCuda(f, o.cudaOrdinal)
                        : Conformance.run(f, vectorized, o.threads);
                rows.add(new String[] {name, r.optimizer(), r.steps() + " steps",
                        String.format("max %.2fx", r.worstMaxRatio()), String.format("mean %.2fx", r.worstMeanRatio()),
                        r.passed() ? "PASS" : "FAIL"});
                if (r.passed()) {
                    passed++;
                } else {
                    missed++;
                    details.add(r.detail());
                }
            } catch (IOException | UnsupportedRuleException | UnsupportedOperationException ex) {
                errors++;
                rows.add(new String[] {name, "ERROR", "", "", "", ""});
                details.add(name + ": " + describe(ex));
            } catch (IllegalArgumentException ex) {
                errors++; // e.g. a hyperparameter out of PyTorch's range
                rows.add(new String[] {name, "ERROR", "", "", "", ""});
                details.add(name + ": " + ex.getMessage());
            }
        }
        if (rows.isEmpty()) {
            err.println("conformance: " + o.dir + " holds no optimizer cases (.safetensors files with a param0 tensor)");
            return ERROR;
        }
        printTable(out, rows);
        if (!details.isEmpty()) {
            out.println();
            details.forEach(out::println);
        }
        out.println();
        out.println(rows.size() + " case" + (rows.size() == 1 ? "" : "s") + ": " + passed + " pass, " + missed
                + " miss the bar, " + errors + " could not run (bar: max error <= " + fmt(ErrorStats.FACTOR)
                + "x PyTorch float32's + " + ErrorStats.ABS_SLACK + ", mean error <= " + fmt(ErrorStats.FACTOR) + "x)");
        return errors > 0 ? ERROR : missed > 0 ? MISSED : OK;
    }

    private static String describe(Exception ex) {
        if (ex instanceof UnsupportedOperationException) {
            return "not implemented: " + ex.getMessage();
        }
        if (ex instanceof UnsupportedRuleException) {
            return "unsupported: " + ex.getMessage();
        }
        if (ex instanceof java.nio.file.NoSuchFileException || ex instanceof java.nio.file.AccessDeniedException) {
            return "cannot read " + ex.getMessage();
        }
        return ex.getMessage();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static void printTable(PrintStream out, List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                if (c > 0) {
                    sb.append("  ");
                }
                // numbers read best right-aligned, names left-aligned
                boolean right = c == 2 || c == 3 || c == 4;
                String cell = r[c];
                String pad = " ".repeat(width[c] - cell.length());
                sb.append(right ? pad + cell : cell + (c == cols - 1 ? "" : pad));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private static String caseName(Path f) {
        String s = f.getFileName().toString();
        return s.endsWith(".safetensors") ? s.substring(0, s.length() - ".safetensors".length()) : s;
    }

    /** Parsed arguments ({@code cudaOrdinal} -1 for the CPU); {@code parse} returns null for --help. */
    private record Options(Path dir, boolean scalar, int threads, int cudaOrdinal) {
        static Options parse(String[] args) {
            Path dir = null;
            boolean scalar = false;
            boolean threadsGiven = false;
            int cudaOrdinal = -1;
            int threads = Runtime.getRuntime().availableProcessors();
            if (args == null) {
                args = new String[0];
            }
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-h", "--help" -> {
                        return null;
                    }
                    case "--scalar" -> scalar = true;
                    case "--threads" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("--threads: got nothing, expected a number of threads >= 1");
                        }
                        threads = parseThreads(args[++i]);
                        threadsGiven = true;
                    }
                    case "--device" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("--device: got nothing, expected cpu, cuda or cuda:N");
                        }
                        cudaOrdinal = parseDevice(args[++i]);
                    }
                    default -> {
                        if (a.startsWith("--threads=")) {
                            threads = parseThreads(a.substring("--threads=".length()));
                            threadsGiven = true;
                        } else if (a.startsWith("--device=")) {
                            cudaOrdinal = parseDevice(a.substring("--device=".length()));
                        } else if (a.startsWith("-")) {
                            throw new IllegalArgumentException("unknown option " + a + ", expected --scalar, --threads N or --device D");
                        } else if (dir != null) {
                            throw new IllegalArgumentException("DIR: got a second folder " + a + " after " + dir
                                    + ", expected one");
                        } else {
                            try {
                                dir = Path.of(a);
                            } catch (InvalidPathException ex) {
                                throw new IllegalArgumentException("DIR: got " + a + ", expected a folder path (" + ex.getMessage() + ")");
                            }
                        }
                    }
                }
            }
            if (dir == null) {
                throw new IllegalArgumentException("DIR: got nothing, expected a folder of .safetensors case files");
            }
            if (cudaOrdinal >= 0 && (scalar || threadsGiven)) {
                throw new IllegalArgumentException("--device cuda: got " + (scalar ? "--scalar" : "--threads")
                        + " too, expected CPU options only with --device cpu");
            }
            return new Options(dir, scalar, threads, cudaOrdinal);
        }

        /** -1 for cpu, the device index for cuda / cuda:N. */
        private static int parseDevice(String s) {
            if (s.equals("cpu")) {
                return -1;
            }
            if (s.equals("cuda")) {
                return 0;
            }
            if (s.startsWith("cuda:")) {
                try {
                    int n = Integer.parseInt(s.substring("cuda:".length()));
                    if (n >= 0) {
                        return n;
                    }
                } catch (NumberFormatException ignored) {
                    // reported below
                }
            }
            throw new IllegalArgumentException("--device: got " + s + ", expected cpu, cuda or cuda:N with N >= 0");
        }

        private static int parseThreads(String s) {
            try {
                int n = Integer.parseInt(s);
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("--threads: got " + s + ", expected an integer >= 1");
        }
    }
}
