package dev.fusedstep.bench.gpu;

import dev.fusedstep.io.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * fusedstep's GPU benchmark, a plain main (not JMH): every case of {@link GpuCases} built with
 * device tensors and stepped through the public API where it exists, timed with CUDA events
 * (median and spread of N steps after a warm-up), beside a device-to-device copy and a memset of
 * the same byte count measured in the same run, and written as rows with torch_optim.py's fields
 * plus a Markdown table beside PyTorch's rows of the same run. See bench/README.md, "GPU run".
 *
 * <p>Exit status: 0 when every case ran or was refused as unsupported (or was skipped for
 * time), 1 when a case failed or there is no GPU, 2 for bad arguments.
 */
public final class GpuBench {
    private GpuBench() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        GpuBenchOptions o;
        List<GpuCase> cases;
        try {
            o = GpuBenchOptions.parse(args);
            cases = GpuCases.select(GpuCases.all(), o.cases());
        } catch (IllegalArgumentException e) {
            err.println("GpuBench: " + e.getMessage());
            err.print(GpuBenchOptions.USAGE);
            return 2;
        }
        if (o.help()) {
            out.print(GpuBenchOptions.USAGE);
            return 0;
        }
        if (cases.isEmpty()) {
            err.println("GpuBench: --cases " + o.cases() + " matches no case id; --list shows them");
            return 2;
        }
        if (o.list()) {
            out.print(list(cases));
            return 0;
        }
        List<Map<String, Object>> torch = readTorch(o.torch(), out);
        Measurer measurer;
        String device;
        try {
            if (o.dryRun()) {
                measurer = new DryRunMeasurer();
                device = measurer.deviceName();
            } else {
                CudaMeasurer cuda = CudaMeasurer.open(o.device());
                measurer = cuda;
                device = cuda.describe();
            }
        } catch (RuntimeException | LinkageError e) {
            err.println("GpuBench: cannot open CUDA device " + o.device() + ": " + e);
            return 1;
        }
        Repetitions reps = o.repetitions();
        String deviceLine = device;
        out.printf(Locale.ROOT, "== GpuBench %s: %s; %d cases, each %s; budget %.0f s%n",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), device, cases.size(), reps.describe(), o.budgetSeconds());
        String source = torchSource(o.torch(), torch);
        // both files after every row: a run stopped from outside (a hung case, the device call's limit) keeps them
        GpuRunner runner = new GpuRunner(measurer, reps, o.budgetSeconds(), System::nanoTime, out, rows -> {
            GpuReport interim = new GpuReport(rows, torch);
            write(o.json(), interim.json(), err);
            write(o.markdown(), interim.markdown(deviceLine, reps, source, List.of(), List.of()), err);
        });
        GpuRunner.Result result = runner.run(cases);
        GpuReport report = new GpuReport(result.rows(), torch);
        write(o.json(), report.json(), err);
        out.println();
        out.print(report.table());
        String md = report.markdown(device, reps, source, result.skipped(), result.failed());
        write(o.markdown(), md, err);
        out.println();
        out.print(md);
        if (o.json() != null) {
            out.println("rows written to " + o.json());
        }
        if (!result.failed().isEmpty()) {
            err.println("GpuBench: " + result.failed().size() + " case(s) failed: " + String.join(", ", result.failed()));
            return 1;
        }
        return 0;
    }

    /** The case list: id, labels, size, bytes, PyTorch peer and targets, one line each. */
    static String list(List<GpuCase> cases) {
        StringBuilder b = new StringBuilder();
        for (GpuCase c : cases) {
            List<String> targets = new ArrayList<>();
            c.targets().forEach(t -> targets.add(t.describe()));
            b.append(String.format(Locale.ROOT, "%-36s %-38s %-12s %-11s %8s %3d B/param  peer %-12s %s%n", c.id(),
                    c.kernel(), c.layout(), c.tensors(), GpuReport.sizeLabel(c.size()), c.bytesPerParam(),
                    c.peerImpl() == null ? "-" : "torch_" + c.peerImpl(), targets.isEmpty() ? "-" : String.join("; ", targets)));
        }
        b.append(cases.size()).append(" cases; each also measures a copy probe at its byte count (initializers: a write probe instead)\n");
        return b.toString();
    }

    /** torch_optim.py's rows, or none (with a line saying why) when the file is absent or unreadable. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> readTorch(Path path, PrintStream out) {
        if (path == null) {
            return List.of();
        }
        try {
            if (!Files.isRegularFile(path) || Files.size(path) == 0) {
                out.println("GpuBench: no PyTorch rows at " + path + "; the Markdown shows ours alone");
                return List.of();
            }
            Object parsed = Json.parse(Files.readString(path));
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Object o : (List<Object>) parsed) {
                rows.add((Map<String, Object>) o);
            }
            return rows;
        } catch (IOException | RuntimeException e) {
            out.println("GpuBench: cannot read PyTorch rows from " + path + " (" + e + "); the Markdown shows ours alone");
            return List.of();
        }
    }

    private static String torchSource(Path path, List<Map<String, Object>> torch) {
        if (path == null) {
            return "none given (--torch)";
        }
        return torch.isEmpty() ? "none read from " + path : torch.size() + " rows from " + path;
    }

    private static void write(Path path, String text, PrintStream err) {
        if (path == null) {
            return;
        }
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(path, text);
        } catch (IOException e) {
            err.println("GpuBench: cannot write " + path + ": " + new UncheckedIOException(e).getMessage());
        }
    }
}
