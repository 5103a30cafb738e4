package dev.fusedstep.cli;

import dev.fusedstep.Device;
import dev.fusedstep.internal.cpu.CpuBackend;
import dev.fusedstep.internal.vectorization.VectorizationProvider;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code fusedstep demo}: the showcase. The seeds' linear regression by full-batch, mini-batch
 * and stochastic gradient descent; the seeds' MLP trained with every optimizer (schedule,
 * clipping, a mixed-precision run) on the CPU and, where a GPU is usable, on the GPU too
 * ({@code --device}), with a progress bar per run and a summary table; the check that the MLP
 * reproduces PyTorch's float64 loss curve on each of those devices; charts (SVG and PNG) and an
 * HTML page in the output folder. {@code --check} runs only the PyTorch check, for scripts.
 */
final class DemoCommand {

    private DemoCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, ProgressBar.onTerminal());
    }

    static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(DemoOptions.USAGE);
            return 0;
        }
        DemoOptions o;
        try {
            o = DemoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("demo: " + e.getMessage());
            err.print(DemoOptions.USAGE);
            return 2;
        }
        DeviceChoice.Gpu gpu = DeviceChoice.Gpu.here();
        String refusal = DeviceChoice.refusal(o.device(), gpu);
        if (refusal != null) {
            err.println("demo: " + refusal);
            return 2;
        }
        List<Device> devices = DeviceChoice.devices(o.device(), gpu);
        if (o.check()) {
            return check(devices, out, err);
        }
        long start = System.nanoTime();
        try {
            Files.createDirectories(o.out());
            ChartFiles charts = new ChartFiles(o.out(), err);
            VectorizationProvider vp = VectorizationProvider.getInstance();
            out.println("fusedstep demo: " + DeviceChoice.line(o.device(), gpu));
            out.println("CPU kernels: " + vp.describe() + ", " + CpuBackend.defaultThreads() + " worker threads.");
            out.println();
            List<HtmlReport.Section> sections = new ArrayList<>();
            sections.add(RegressionSection.run(o.seed(), out, charts));
            sections.add(MlpSection.run(o, devices, terminal, out, charts));
            out.println("3. Exactness against PyTorch");
            List<String> exact = new ArrayList<>();
            for (Device device : devices) {
                exact.add(goldenLine(MlpGolden.check(MlpGolden.bundledFile(), device), device, devices));
                out.println(RegressionSection.wrap(exact.getLast(), "   "));
            }
            out.println();
            sections.add(new HtmlReport.Section("Exactness against PyTorch", exact, null, List.of()));
            Path page = o.out().resolve("index.html");
            HtmlReport.write(page, "fusedstep demo", sections);
            out.printf(Locale.ROOT, "Wrote the charts (SVG and PNG) and %s to %s (%.1f s in all).%n", page.getFileName(),
                    o.out().toAbsolutePath().normalize(), (System.nanoTime() - start) / 1e9);
            return 0;
        } catch (IOException e) {
            err.println("demo: could not write to " + o.out() + ": " + e);
            return 1;
        }
    }

    /** {@code --check}: exit 0 when every step's loss is within the tolerance of PyTorch float64 on every device, else 1. */
    private static int check(List<Device> devices, PrintStream out, PrintStream err) {
        try {
            boolean passed = true;
            for (Device device : devices) {
                MlpGolden.Result r = MlpGolden.check(MlpGolden.bundledFile(), device);
                out.println(goldenLine(r, device, devices));
                passed &= r.passed();
            }
            out.println(passed ? "PASS" : "FAIL");
            return passed ? 0 : 1;
        } catch (IOException e) {
            err.println("demo --check: could not read the golden file: " + e);
            return 1;
        }
    }

    /** The check's result on {@code device}, naming the device unless the CPU is the only one. */
    static String goldenLine(MlpGolden.Result r, Device device, List<Device> devices) {
        return devices.equals(List.of(Device.CPU)) ? goldenLine(r)
                : "On " + DeviceChoice.name(device) + ": " + goldenLine(r);
    }

    static String goldenLine(MlpGolden.Result r) {
        return String.format(Locale.ROOT,
                "The MLP started from PyTorch's initial weights (golden/mlp.safetensors: X [256,10], AdamW lr 1e-3,"
                        + " weight_decay 1e-2, %d full-batch steps) gives PyTorch float64's loss at every step within a"
                        + " relative %.2e (worst at step %d; bar %s; PyTorch's own float32 run: %.2e). Final weights: max"
                        + " abs error %.2e (PyTorch float32: %.2e).",
                r.relError().length, r.worst(), r.worstStep(), num(MlpGolden.TOLERANCE), r.torch32Worst(), r.weightError(),
                r.torch32WeightError());
    }

    /** A hyperparameter as PyTorch prints it: 0.01, 0.999, 1e-8 (not 1.0E-8). */
    static String num(double v) {
        BigDecimal d = BigDecimal.valueOf(v).stripTrailingZeros();
        double a = Math.abs(v);
        return a == 0 || (a >= 1e-4 && a < 1e6) ? d.toPlainString() : d.toString().replace("E", "e");
    }
}
