package dev.fusedstep.schedule;

import java.util.OptionalDouble;

/**
 * torch OneCycleLR: warm up from {@code max_lr / div_factor} to {@code max_lr} over
 * {@code pct_start} of the steps, then anneal to {@code initial_lr / final_div_factor}; with
 * {@code three_phase}, a symmetric descent back to the initial lr precedes the final anneal.
 * Momentum (or Adam's beta1) cycles inversely between {@code max_momentum} and
 * {@code base_momentum}. The base lr of the group is ignored, as in PyTorch (max_lr sets it).
 */
public record OneCycleLR(double maxLr, long totalSteps, double pctStart, Anneal annealStrategy, boolean cycleMomentum,
        double baseMomentum, double maxMomentum, double divFactor, double finalDivFactor, boolean threePhase)
        implements LrSchedule {

    /** How a phase moves between its end points. */
    public enum Anneal { COS, LINEAR }

    public OneCycleLR {
        Checks.positive("max_lr", maxLr);
        Checks.positive("total_steps", totalSteps);
        if (!(pctStart > 0 && pctStart < 1)) {
            throw new IllegalArgumentException("pct_start: got " + pctStart + ", expected 0 < pct_start < 1");
        }
        if (annealStrategy == null) {
            throw new IllegalArgumentException("anneal_strategy: got null, expected COS or LINEAR");
        }
        Checks.nonNegative("base_momentum", baseMomentum);
        Checks.nonNegative("max_momentum", maxMomentum);
        Checks.positive("div_factor", divFactor);
        Checks.positive("final_div_factor", finalDivFactor);
    }

    /** PyTorch's defaults: pct_start 0.3, cosine, momentum cycling 0.85..0.95, div_factor 25, final_div_factor 1e4. */
    public OneCycleLR(double maxLr, long totalSteps) {
        this(maxLr, totalSteps, 0.3, Anneal.COS, true, 0.85, 0.95, 25.0, 1e4, false);
    }

    private double initialLr() {
        return maxLr / divFactor;
    }

    @Override
    public double lr(long step, double baseLr) {
        return phaseValue(step, true);
    }

    @Override
    public OptionalDouble momentum(long step) {
        return cycleMomentum ? OptionalDouble.of(phaseValue(step, false)) : OptionalDouble.empty();
    }

    /** PyTorch's phase walk: the first phase whose end_step is not behind {@code step}, or the last. */
    private double phaseValue(long step, boolean lr) {
        LrSchedule.requireStep(step);
        if (step > totalSteps) {
            throw new IllegalArgumentException("step: got " + step + ", expected <= total_steps " + totalSteps);
        }
        double initial = initialLr();
        double min = initial / finalDivFactor;
        double[][] phases = threePhase
                ? new double[][] {
                    {pctStart * totalSteps - 1, initial, maxLr, maxMomentum, baseMomentum},
                    {2 * pctStart * totalSteps - 2, maxLr, initial, baseMomentum, maxMomentum},
                    {totalSteps - 1, initial, min, maxMomentum, maxMomentum}}
                : new double[][] {
                    {pctStart * totalSteps - 1, initial, maxLr, maxMomentum, baseMomentum},
                    {totalSteps - 1, maxLr, min, baseMomentum, maxMomentum}};
        double start = 0;
        for (int i = 0; i < phases.length; i++) {
            double end = phases[i][0];
            if (step <= end || i == phases.length - 1) {
                double pct = (step - start) / (end - start);
                return lr ? anneal(phases[i][1], phases[i][2], pct) : anneal(phases[i][3], phases[i][4], pct);
            }
            start = end;
        }
        throw new AssertionError("unreachable: the last phase always matches");
    }

    private double anneal(double from, double to, double pct) {
        return annealStrategy == Anneal.COS
                ? to + (from - to) / 2.0 * (Math.cos(Math.PI * pct) + 1)
                : (to - from) * pct + from;
    }
}
