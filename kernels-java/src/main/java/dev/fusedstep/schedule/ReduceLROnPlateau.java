package dev.fusedstep.schedule;

import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.ParamGroup;
import java.util.List;

/**
 * torch ReduceLROnPlateau: multiplies every group's lr by {@code factor} (not below
 * {@code min_lr}) once the metric has not improved for more than {@code patience} steps, then
 * waits {@code cooldown} steps. Improvement is judged with a relative or absolute threshold, in
 * {@code min} or {@code max} mode. Unlike the other schedules it depends on the metrics seen.
 */
public final class ReduceLROnPlateau {

    public enum Mode { MIN, MAX }

    public enum ThresholdMode { REL, ABS }

    private final List<ParamGroup> groups;
    private final Mode mode;
    private final double factor;
    private final long patience;
    private final double threshold;
    private final ThresholdMode thresholdMode;
    private final long cooldown;
    private final double minLr;
    private final double eps;
    private double best;
    private long badSteps;
    private long cooldownLeft;
    private long lastStep;

    /** PyTorch's defaults: mode min, factor 0.1, patience 10, threshold 1e-4 relative, no cooldown, min_lr 0, eps 1e-8. */
    public ReduceLROnPlateau(Optimizer optimizer) {
        this(optimizer, Mode.MIN, 0.1, 10, 1e-4, ThresholdMode.REL, 0, 0.0, 1e-8);
    }

    public ReduceLROnPlateau(Optimizer optimizer, Mode mode, double factor, long patience, double threshold,
            ThresholdMode thresholdMode, long cooldown, double minLr, double eps) {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer: got null, expected an Optimizer");
        }
        if (mode == null || thresholdMode == null) {
            throw new IllegalArgumentException((mode == null ? "mode" : "threshold_mode") + ": got null, expected a value");
        }
        if (!(factor >= 0 && factor < 1)) {
            throw new IllegalArgumentException("factor: got " + factor + ", expected 0 <= factor < 1");
        }
        Checks.nonNegative("patience", patience);
        Checks.nonNegative("threshold", threshold);
        Checks.nonNegative("cooldown", cooldown);
        Checks.nonNegative("min_lr", minLr);
        Checks.nonNegative("eps", eps);
        this.groups = optimizer.groups();
        this.mode = mode;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.thresholdMode = thresholdMode;
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.eps = eps;
        this.best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** Records this step's metric (e.g. validation loss) and reduces the lrs if it has plateaued. */
    public void step(double metric) {
        lastStep++;
        if (isBetter(metric)) {
            best = metric;
            badSteps = 0;
        } else {
            badSteps++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badSteps = 0;
        }
        if (badSteps > patience) {
            for (ParamGroup g : groups) {
                double old = g.lr();
                double reduced = Math.max(old * factor, minLr);
                if (old - reduced > eps) {
                    g.setLr(reduced);
                }
            }
            cooldownLeft = cooldown;
            badSteps = 0;
        }
    }

    private boolean isBetter(double a) {
        return switch (mode) {
            case MIN -> thresholdMode == ThresholdMode.REL ? a < best * (1 - threshold) : a < best - threshold;
            case MAX -> thresholdMode == ThresholdMode.REL ? a > best * (threshold + 1) : a > best + threshold;
        };
    }

    /** The best metric seen so far. */
    public double best() {
        return best;
    }

    /** Steps without improvement since the last improvement or reduction. */
    public long badSteps() {
        return badSteps;
    }

    /** Steps recorded so far. */
    public long lastStep() {
        return lastStep;
    }

    /** Steps of cooldown left after the last reduction. */
    public long cooldownLeft() {
        return cooldownLeft;
    }

    /** Checks counters for {@link #resume}; throws naming the first that is out of range. */
    public static void checkResumable(double best, long badSteps, long cooldownLeft, long lastStep) {
        if (Double.isNaN(best)) {
            throw new IllegalArgumentException("best: got NaN, expected a metric value or an infinity");
        }
        Checks.nonNegative("num_bad_epochs", badSteps);
        Checks.nonNegative("cooldown_counter", cooldownLeft);
        Checks.nonNegative("last_epoch", lastStep);
    }

    /** Resumes the counters a checkpoint saved ({@link #best}, {@link #badSteps}, {@link #cooldownLeft}, {@link #lastStep}). */
    public void resume(double best, long badSteps, long cooldownLeft, long lastStep) {
        checkResumable(best, badSteps, cooldownLeft, lastStep);
        this.best = best;
        this.badSteps = badSteps;
        this.cooldownLeft = cooldownLeft;
        this.lastStep = lastStep;
    }
}
