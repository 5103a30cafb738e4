package dev.fusedstep.cli;

import dev.fusedstep.Device;
import dev.fusedstep.cli.plot.Chart;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's second part: the seeds' MLP trained on the same task from the same initial weights
 * by every chosen optimizer, on each chosen device (the CPU, a GPU, or both), with a progress bar
 * per run, then the summary table (a row per optimizer and device) and the loss and
 * learning-rate charts.
 */
final class MlpSection {
    private MlpSection() {}

    static HtmlReport.Section run(DemoOptions o, List<Device> devices, boolean terminal, PrintStream out, ChartFiles charts)
            throws IOException {
        MlpTask task = MlpTask.generate(o.seed());
        int warm = Math.max(1, o.steps() / 10);
        String setup = String.format(Locale.ROOT,
                "Linear(10,100) -> ReLU -> Linear(100,10) -> Linear(10,1), PyTorch layout, every matrix product of the forward"
                        + " and backward passes through dev.fusedstep.linalg.Gemm. Task: %d rows of x ~ N(0, 1)^10,"
                        + " y = sin(x0 + x1) + x2*x3/2 - 0.3*x4 + N(0, %s^2), full batch, mean squared error, seed %d."
                        + " Initial weights: He uniform (ReLU gain) for the first layer, Xavier uniform for the others, zero"
                        + " biases, the same for every run. %d steps: linear warm-up from 1%% of the peak lr over %d steps,"
                        + " then cosine decay to 0; gradients clipped to L2 norm %s. AdamW BF16 keeps BF16 parameters and"
                        + " gradients with float32 master weights (Precision.masterWeights()) and dynamic loss scaling"
                        + " (GradScaler, which clips too).%s",
                MlpTask.ROWS, DemoCommand.num(MlpTask.NOISE_STD), o.seed(), o.steps(), warm, DemoCommand.num(MlpTraining.MAX_NORM),
                devices.size() > 1 ? " Every run on " + DeviceChoice.name(devices.get(0)) + " and again on "
                        + DeviceChoice.name(devices.get(1)) + ", from the same initial weights; the loss chart shows the"
                        + " runs on " + DeviceChoice.name(devices.get(0)) + "." : "");
        out.println("2. The MLP, every optimizer on the same task");
        out.println(RegressionSection.wrap(setup, "   "));

        List<MlpTraining.Result> results = new ArrayList<>();
        for (Device device : devices) {
            if (!device.equals(Device.CPU) || devices.size() > 1) {
                out.println("   on " + DeviceChoice.name(device) + ":");
            }
            for (DemoOptimizers.Entry e : o.optimizers()) {
                ProgressBar bar = new ProgressBar(out, terminal, e.label(), o.steps());
                results.add(MlpTraining.train(e, task, o.seed(), o.steps(), device, bar));
            }
        }
        out.println();
        Table table = summary(results);
        out.print(table.text("   "));
        String notes = "(steps/s: the whole training step, forward and backward passes included;"
                + " clip ms and step ms: all steps' time in GradClipping.clipGradNorm and in the fused optimizer step,"
                + " for AdamW BF16 in GradScaler.step, which clips, unscales and steps";
        if (devices.stream().anyMatch(d -> !d.equals(Device.CPU))) {
            notes += ". On the GPU the host reads the loss back once per step, to print and chart it, and the"
                    + " optimizer step only queues its kernels, so its ms is the time to queue them";
        }
        out.println(RegressionSection.wrap(notes + ")", "   "));
        out.println();

        List<Chart.Series> losses = new ArrayList<>();
        for (MlpTraining.Result r : results) {
            if (r.device().equals(devices.get(0))) {
                losses.add(new Chart.Series(r.entry().label(), r.loss()));
            }
        }
        String lossChart = charts.write(new Chart("MLP: training loss, every optimizer", "step", "MSE (log scale)", true,
                losses), "mlp_loss");
        double[] factor = new double[o.steps()];
        MlpTraining.Result first = results.get(0);
        for (int t = 0; t < factor.length; t++) {
            factor[t] = first.lr()[t] / first.entry().rule().lr();
        }
        String lrChart = charts.write(new Chart("Learning rate: SequentialLR(LinearLR, CosineAnnealingLR)", "step",
                "lr / peak lr", false, List.of(new Chart.Series("warm-up, cosine", factor))), "lr_schedule");
        return new HtmlReport.Section("MLP, every optimizer", List.of(setup), table, List.of(lossChart, lrChart));
    }

    static Table summary(List<MlpTraining.Result> results) {
        List<List<String>> rows = new ArrayList<>();
        for (MlpTraining.Result r : results) {
            String note = r.entry().note();
            if (r.entry().bf16()) {
                note += ", " + r.skipped() + " skipped steps";
            }
            rows.add(List.of(r.entry().label(), r.device().toString(), DemoCommand.num(r.entry().rule().lr()),
                    String.format(Locale.ROOT, "%.6f", r.loss()[0]), String.format(Locale.ROOT, "%.6f", r.finalLoss()),
                    String.format(Locale.ROOT, "%.0f", r.stepsPerSecond()),
                    r.entry().bf16() ? "in step" : String.format(Locale.ROOT, "%.1f", r.clipNanos() / 1e6),
                    String.format(Locale.ROOT, "%.1f", r.stepNanos() / 1e6), note));
        }
        return new Table(List.of("optimizer", "device", "peak lr", "first loss", "final loss", "steps/s", "clip ms", "step ms",
                "note"), rows, List.of(3, 4, 5, 6, 7));
    }
}
