package dev.fusedstep.cli;

import dev.fusedstep.optim.Adadelta;
import dev.fusedstep.optim.Adagrad;
import dev.fusedstep.optim.Adam;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Adamax;
import dev.fusedstep.optim.NAdam;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.RAdam;
import dev.fusedstep.optim.RMSprop;
import dev.fusedstep.optim.SGD;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * {@code fusedstep demo}: the linear regression trained with AdamW, then every optimizer on the
 * same problem, side by side. The learning rates are one value for all (Adadelta aside, whose
 * lr is a multiplier on an already scaled step), not tuned per optimizer, so the table shows
 * how each rule behaves out of the box.
 */
final class DemoCommand {

    static final int STEPS = 100;
    static final double LR = 1e-2;

    /** One row of the comparison: a label, the rule, and a note on anything not at PyTorch's defaults besides lr. */
    record Entry(String label, OptimizerRule rule, String note) {}

    static List<Entry> comparison() {
        return List.of(
                new Entry("SGD", new SGD().withLr(LR), ""),
                new Entry("SGD momentum", new SGD().withLr(LR).withMomentum(0.9), "momentum=0.9"),
                new Entry("SGD nesterov", new SGD().withLr(LR).withMomentum(0.9).withNesterov(true), "momentum=0.9, nesterov=True"),
                new Entry("Adagrad", new Adagrad().withLr(LR), ""),
                new Entry("RMSprop", new RMSprop().withLr(LR), ""),
                new Entry("Adam", new Adam().withLr(LR), "weight_decay=0 (default)"),
                new Entry("AdamW", new AdamW().withLr(LR), "decoupled weight_decay=0.01 (default)"),
                new Entry("Adamax", new Adamax().withLr(LR), ""),
                new Entry("NAdam", new NAdam().withLr(LR), ""),
                new Entry("RAdam", new RAdam().withLr(LR), ""),
                new Entry("Adadelta", new Adadelta(), "lr=1.0 is PyTorch's default; it scales an adaptive step"));
    }

    private DemoCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 0) {
            err.println("demo: got arguments " + String.join(" ", args) + ", expected none");
            return 2;
        }
        LinearRegression.Data data = LinearRegression.Data.generate();
        LinearRegression.Exact exact = LinearRegression.leastSquares(data);

        out.printf(Locale.ROOT, "Linear regression: fit y = w*x + b to %d points of y = %.0fx + noise,%n",
                LinearRegression.POINTS, LinearRegression.TRUE_W);
        out.printf(Locale.ROOT, "x uniform in [-1, 1], Gaussian noise with standard deviation %.2f (seed %d).%n",
                LinearRegression.NOISE_STD, LinearRegression.SEED);
        out.println("Loss: mean squared error; gradients computed by hand; w and b start at 0");
        out.println("(w in a heap float[], b in native memory: both are just segments to the optimizer).");
        out.println();

        AdamW adamw = new AdamW().withLr(LR);
        out.printf(Locale.ROOT, "AdamW, lr %s (betas (%s, %s), eps %s, weight_decay %s: PyTorch's defaults), %d steps:%n",
                num(adamw.lr()), num(adamw.beta1()), num(adamw.beta2()), num(adamw.eps()), num(adamw.weightDecay()), STEPS);
        LinearRegression.Fit fit = LinearRegression.train(adamw, data, STEPS);
        out.printf(Locale.ROOT, "   %4s  %10s  %9s  %9s%n", "step", "loss", "w", "b");
        for (int t = 0; t <= STEPS; t += 10) {
            out.printf(Locale.ROOT, "   %4d  %10.6f  %9.5f  %9.5f%n", t, fit.loss()[t], fit.w()[t], fit.b()[t]);
        }
        out.printf(Locale.ROOT, "Final: w = %.5f, b = %.5f. Adam-style rules move a weight by about lr per step,%n",
                fit.finalW(), fit.finalB());
        out.printf(Locale.ROOT, "so %d steps at lr %s can move w by only about %.1f of the %.0f it needs.%n",
                STEPS, num(LR), STEPS * LR, LinearRegression.TRUE_W);
        out.println();

        out.printf(Locale.ROOT, "Every optimizer on the same problem, %d steps from w = b = 0, lr %s unless noted,%n", STEPS, num(LR));
        out.println("other arguments at PyTorch's defaults:");
        out.printf(Locale.ROOT, "   %-12s  %-6s  %10s  %9s  %9s   %s%n", "optimizer", "lr", "final loss", "w", "b", "note");
        for (Entry e : comparison()) {
            String lr = num(e.rule().lr());
            LinearRegression.Fit f = LinearRegression.train(e.rule(), data, STEPS);
            out.printf(Locale.ROOT, "   %-12s  %-6s  %10.6f  %9.5f  %9.5f   %s%n",
                    e.label(), lr, f.finalLoss(), f.finalW(), f.finalB(), e.note());
        }
        out.printf(Locale.ROOT, "   %-12s  %-6s  %10.6f  %9.5f  %9.5f   %s%n",
                "exact", "-", exact.loss(), exact.w(), exact.b(), "least squares, for reference");
        return 0;
    }

    /** A hyperparameter as PyTorch prints it: 0.01, 0.999, 1e-8 (not 1.0E-8). */
    static String num(double v) {
        BigDecimal d = BigDecimal.valueOf(v).stripTrailingZeros();
        double a = Math.abs(v);
        return a == 0 || (a >= 1e-4 && a < 1e6) ? d.toPlainString() : d.toString().replace("E", "e");
    }
}
