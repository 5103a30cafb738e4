package dev.fusedstep.conformance;

/**
 * How far fusedstep and PyTorch float32 each land from the float64 truth over one tensor
 * (parameters after a step, or a final state buffer): the largest and the mean absolute error.
 *
 * <p>The bar (from the golden files' README): every element within
 * {@code 2 * torchMax + 1e-7} of the truth, and a mean no larger than {@code 2 * torchMean}.
 * Where PyTorch float32 equals the truth exactly ({@code torchMean == 0}) the mean bar demands
 * an exact match too; {@link #exactReference()} flags that case so reports can say so.
 */
public record ErrorStats(String label, double oursMax, double oursMean, double torchMax, double torchMean) {

    /** Headroom over PyTorch float32's own error that the bar allows. */
    public static final double FACTOR = 2.0;
    /** Absolute slack on the per-element bar, for steps where PyTorch's error is (nearly) zero. */
    public static final double ABS_SLACK = 1e-7;

    /** Compares {@code ours} and {@code torch32} element by element with {@code truth}. */
    static ErrorStats of(String label, double[] ours, double[] torch32, double[] truth) {
        double oMax = 0, oSum = 0, tMax = 0, tSum = 0;
        for (int i = 0; i < truth.length; i++) {
            double o = Math.abs(ours[i] - truth[i]);
            double t = Math.abs(torch32[i] - truth[i]);
            // NaN must fail the bar, and Math.max propagates it
            oMax = Math.max(oMax, o);
            tMax = Math.max(tMax, t);
            oSum += o;
            tSum += t;
        }
        int n = Math.max(1, truth.length);
        return new ErrorStats(label, oMax, oSum / n, tMax, tSum / n);
    }

    /** Every element within {@code 2 * torchMax + 1e-7} of the truth. */
    public boolean maxWithinBar() {
        return oursMax <= FACTOR * torchMax + ABS_SLACK;
    }

    /** Mean error at most {@code 2 * torchMean}. */
    public boolean meanWithinBar() {
        return oursMean <= FACTOR * torchMean;
    }

    public boolean passed() {
        return maxWithinBar() && meanWithinBar();
    }

    /** PyTorch float32 matched float64 exactly here, so the mean bar allows no error at all. */
    public boolean exactReference() {
        return torchMean == 0;
    }

    /** Our max error over PyTorch's (1 when both are 0). */
    public double maxRatio() {
        return ratio(oursMax, torchMax);
    }

    /** Our mean error over PyTorch's (1 when both are 0). */
    public double meanRatio() {
        return ratio(oursMean, torchMean);
    }

    static double ratio(double ours, double torch) {
        if (ours == torch) {
            return 1.0; // includes 0/0: as exact as PyTorch
        }
        return ours / torch; // x/0 is +Infinity: we err where PyTorch does not
    }

    /** One line for messages, e.g. {@code step 3: max 1.2e-09 (torch 1.1e-09, 1.09x), mean ... }. */
    public String describe() {
        return String.format("%s: max %.3e (torch %.3e, %.2fx, bar %.3e), mean %.3e (torch %.3e, %.2fx, bar %.3e)%s%s",
                label, oursMax, torchMax, maxRatio(), FACTOR * torchMax + ABS_SLACK,
                oursMean, torchMean, meanRatio(), FACTOR * torchMean,
                passed() ? "" : maxWithinBar() ? " MEAN MISSES BAR" : " MAX MISSES BAR",
                exactReference() ? " [torch float32 exact here: the mean bar demands an exact match]" : "");
    }
}
