package dev.fusedstep.bench.gpu;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Runs the cases one after another, each in its own try/catch: a layout the backend refuses
 * (UnsupportedOperationException, IllegalArgumentException) gives an "unsupported: ..." row, any
 * other error a "failed: ..." row, and the run goes on. Before a case it measures the copy probe
 * at the case's byte count (initializers: the write probe instead), once per byte count, and adds
 * the probe's row. Once the time budget is spent, the remaining cases are skipped and listed.
 * Progress goes to {@code log} with timestamps, so a run cut short still shows what ran.
 */
final class GpuRunner {

    /** The rows in run order (probes beside the cases), the ids skipped for time, the ids that failed. */
    record Result(List<GpuRow> rows, List<String> skipped, List<String> failed) {}

    private final Measurer measurer;
    private final Repetitions repetitions;
    private final double budgetSeconds;
    private final LongSupplier nanoTime;
    private final PrintStream log;
    private final Consumer<List<GpuRow>> afterEachRow;
    private final Map<Long, Double> copyGbps = new HashMap<>();
    private final Map<Long, Double> writeGbps = new HashMap<>();
    private final List<GpuRow> rows = new ArrayList<>();
    private long startNanos;

    GpuRunner(Measurer measurer, Repetitions repetitions, double budgetSeconds, LongSupplier nanoTime, PrintStream log,
            Consumer<List<GpuRow>> afterEachRow) {
        this.measurer = measurer;
        this.repetitions = repetitions;
        this.budgetSeconds = budgetSeconds;
        this.nanoTime = nanoTime;
        this.log = log;
        this.afterEachRow = afterEachRow;
    }

    Result run(List<GpuCase> cases) {
        startNanos = nanoTime.getAsLong();
        List<String> skipped = new ArrayList<>(), failed = new ArrayList<>();
        for (GpuCase c : cases) {
            if (elapsedSeconds() >= budgetSeconds) {
                skipped.add(c.id());
                continue;
            }
            progress(c.id() + ": " + c.kernel() + " " + c.layout() + " " + c.tensors() + " (" + measurer.memoryLine() + ")");
            // an initializer only writes: the write probe is its roofline, and a copy would say nothing more
            Double copy = c.writeProbe() ? null : probe(c, false);
            Double write = c.writeProbe() ? probe(c, true) : null;
            GpuRow row = attempt(c, () -> {
                Measurer.Measurement m = measurer.measure(c, repetitions);
                String status = m.check() == null ? GpuRow.OK : "suspect: " + m.check();
                return new GpuRow(c, status, m.seconds(), copy, write, measurer.deviceName());
            });
            if (row.status().startsWith("failed")) {
                failed.add(c.id());
            }
            add(row);
        }
        if (!skipped.isEmpty()) {
            progress("time budget of " + budgetSeconds + " s spent: skipped " + String.join(", ", skipped));
        }
        return new Result(List.copyOf(rows), List.copyOf(skipped), List.copyOf(failed));
    }

    /** The copy (or write) probe's GB/s at {@code c}'s byte count, measured on first use; null if it failed. */
    private Double probe(GpuCase c, boolean write) {
        Map<Long, Double> memo = write ? writeGbps : copyGbps;
        long bytes = c.bytes();
        if (memo.containsKey(bytes)) {
            return memo.get(bytes);
        }
        GpuCase probe = probeCase(c, write);
        GpuRow row = attempt(probe, () -> new GpuRow(probe, GpuRow.OK,
                write ? measurer.write(bytes, repetitions) : measurer.copy(bytes, repetitions), null, null,
                measurer.deviceName()));
        memo.put(bytes, row.gbps());
        add(row);
        return row.gbps();
    }

    /** The made-up case a probe's row describes: the same parameters, tensor label and byte count as {@code c}. */
    static GpuCase probeCase(GpuCase c, boolean write) {
        String id = (write ? "write" : "copy") + "-" + c.bytesPerParam() + "B-" + c.tensors();
        String note = write ? "cudaMemsetAsync of " + c.bytesPerParam() + " B per parameter: the write roofline"
                : "cudaMemcpyAsync device to device, " + c.bytesPerParam() / 2 + " B read + " + c.bytesPerParam() / 2
                        + " B written per parameter: the roofline at " + c.bytesPerParam() + " B/param";
        return new GpuCase(id, write ? "write" : "copy", "f32", c.tensors(), c.bytesPerParam(),
                write ? "cuda_memset" : "cuda_memcpy", write ? null : "op", false, List.of(), note, ctx -> {
                    throw new IllegalStateException("a probe is measured by Measurer.copy/write, not built");
                });
    }

    private interface Body {
        GpuRow run();
    }

    /** Runs one measurement; errors become rows, never escape (an Error that leaves the JVM unusable aside). */
    private GpuRow attempt(GpuCase c, Body body) {
        long t0 = nanoTime.getAsLong();
        GpuRow row;
        try {
            row = body.run();
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            row = GpuRow.notMeasured(c, "unsupported: " + oneLine(e), measurer.deviceName());
            trace(e);
        } catch (VirtualMachineError e) {
            if (!(e instanceof OutOfMemoryError)) {
                throw e;
            }
            row = GpuRow.notMeasured(c, "failed: " + oneLine(e), measurer.deviceName());
        } catch (RuntimeException | Error e) {
            row = GpuRow.notMeasured(c, "failed: " + oneLine(e), measurer.deviceName());
            trace(e);
        }
        double took = (nanoTime.getAsLong() - t0) / 1e9;
        if (row.measured()) {
            progress(String.format(Locale.ROOT, "  %s: %.4g ms, %.1f GB/s, spread %.2f, %s (%.1f s)", c.id(), row.ms(),
                    row.gbps(), row.spread(), row.status(), took));
        } else {
            progress(String.format(Locale.ROOT, "  %s: %s (%.1f s)", c.id(), row.status(), took));
        }
        return row;
    }

    private void add(GpuRow row) {
        rows.add(row);
        afterEachRow.accept(List.copyOf(rows));
    }

    private static String oneLine(Throwable e) {
        String m = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return m.replace('\n', ' ').replace('|', '/');
    }

    /** The top of the stack, so that a bug in this benchmark is told apart from a refused layout. */
    private void trace(Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        for (int i = 0; i < Math.min(6, st.length); i++) {
            log.println("      at " + st[i]);
        }
        if (e.getCause() != null) {
            log.println("      caused by " + oneLine(e.getCause()));
        }
    }

    private double elapsedSeconds() {
        return (nanoTime.getAsLong() - startNanos) / 1e9;
    }

    private void progress(String line) {
        log.printf(Locale.ROOT, "[%s +%.1fs] %s%n", Instant.now().truncatedTo(ChronoUnit.SECONDS), elapsedSeconds(), line);
        log.flush();
    }
}
