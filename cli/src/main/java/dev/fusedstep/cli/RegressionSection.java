package dev.fusedstep.cli;

import dev.fusedstep.cli.plot.Chart;
import dev.fusedstep.optim.AdamW;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's first part, the seeds' linear regression: {@code y = w x + b} fit by mean squared
 * error to 100 points of {@code y = 3x + N(0, 0.01^2)} with AdamW (lr 1e-2, betas 0.9/0.999,
 * eps 1e-8) for 100 steps, by full-batch, mini-batch and stochastic gradient descent.
 */
final class RegressionSection {
    static final int STEPS = 100;
    static final double LR = 1e-2;
    static final int MINI_BATCH = 10;

    /** One way to pick each step's points: its name and batch size. */
    record Variant(String name, int batch) {}

    static List<Variant> variants() {
        return List.of(new Variant("full batch", LinearRegression.POINTS), new Variant("mini-batch", MINI_BATCH),
                new Variant("stochastic", 1));
    }

    private RegressionSection() {}

    static HtmlReport.Section run(long seed, PrintStream out, ChartFiles charts) throws IOException {
        LinearRegression.Data data = LinearRegression.Data.generate(seed);
        LinearRegression.Exact exact = LinearRegression.leastSquares(data);
        AdamW adamw = new AdamW().withLr(LR);
        String setup = String.format(Locale.ROOT,
                "Fit y = w*x + b to %d points of y = %.0fx + noise (x uniform in [-1, 1], Gaussian noise with standard"
                        + " deviation %s, seed %d) by mean squared error, w = b = 0 at the start. AdamW, lr %s (betas (%s, %s),"
                        + " eps %s, weight_decay %s: PyTorch's defaults), %d steps of %d, %d and 1 points.",
                LinearRegression.POINTS, LinearRegression.TRUE_W, DemoCommand.num(LinearRegression.NOISE_STD), seed,
                DemoCommand.num(adamw.lr()), DemoCommand.num(adamw.beta1()), DemoCommand.num(adamw.beta2()),
                DemoCommand.num(adamw.eps()), DemoCommand.num(adamw.weightDecay()), STEPS, LinearRegression.POINTS, MINI_BATCH);
        String why = String.format(Locale.ROOT, "Adam-style rules move a weight by about lr per step, so %d steps at lr %s"
                + " move w by at most about %.1f of the %.0f it needs: the loss falls but has far to go.",
                STEPS, DemoCommand.num(LR), STEPS * LR, LinearRegression.TRUE_W);
        out.println("1. Linear regression (y = 3x + noise), AdamW, gradient descent three ways");
        out.println(wrap(setup, "   "));

        List<List<String>> rows = new ArrayList<>();
        List<Chart.Series> curves = new ArrayList<>();
        for (Variant v : variants()) {
            LinearRegression.Fit fit = LinearRegression.train(adamw, data, STEPS, v.batch(), seed);
            rows.add(List.of(v.name(), Integer.toString(v.batch()), Integer.toString(STEPS),
                    String.format(Locale.ROOT, "%.6f", fit.finalLoss()), String.format(Locale.ROOT, "%.5f", fit.finalW()),
                    String.format(Locale.ROOT, "%.5f", fit.finalB())));
            curves.add(new Chart.Series(v.name() + " (" + v.batch() + ")", fit.loss()));
        }
        rows.add(List.of("least squares", "-", "-", String.format(Locale.ROOT, "%.6f", exact.loss()),
                String.format(Locale.ROOT, "%.5f", exact.w()), String.format(Locale.ROOT, "%.5f", exact.b())));
        Table table = new Table(List.of("method", "batch", "steps", "final loss", "w", "b"), rows, List.of(1, 2, 3, 4, 5));
        out.print(table.text("   "));
        out.println(wrap(why, "   "));
        out.println();
        String chart = charts.write(new Chart("Linear regression: loss over all points, AdamW lr 0.01", "step",
                "MSE (log scale)", true, curves), "regression_loss");
        return new HtmlReport.Section("Linear regression", List.of(setup, why), table, List.of(chart));
    }

    /** Breaks {@code text} into lines of at most 96 characters, each starting with {@code indent}. */
    static String wrap(String text, String indent) {
        StringBuilder sb = new StringBuilder();
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > 96) {
                sb.append(line).append(System.lineSeparator());
                line = new StringBuilder(indent);
            }
            line.append(line.length() > indent.length() ? " " : "").append(word);
        }
        return sb.append(line).toString();
    }
}
