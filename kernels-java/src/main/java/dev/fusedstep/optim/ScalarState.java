package dev.fusedstep.optim;

/**
 * A parameter's scalar optimizer state, as PyTorch keeps it beside the buffers: the number of
 * steps taken ({@code step}) and, for NAdam, the running product of momentum coefficients
 * ({@code mu_product}). Host-side; {@code mu_product} is rounded to float32 as PyTorch stores it. An {@link Optimizer} owns one per
 * parameter; a framework calling {@link FusedStep} directly keeps its own.
 */
public final class ScalarState {
    private long step;
    private double muProduct = 1.0;

    /** A fresh state: no step taken, {@code mu_product} 1. */
    public ScalarState() {}

    /** A state resumed from a checkpoint. */
    public ScalarState(long step, double muProduct) {
        if (step < 0) {
            throw new IllegalArgumentException("step: got " + step + ", expected >= 0");
        }
        if (!(muProduct > 0 && muProduct <= 1)) {
            throw new IllegalArgumentException("muProduct: got " + muProduct + ", expected 0 < mu_product <= 1");
        }
        this.step = step;
        this.muProduct = muProduct;
    }

    /** Steps taken so far (PyTorch's {@code state['step']}). */
    public long step() {
        return step;
    }

    /** NAdam's {@code state['mu_product']}; 1 for other rules. */
    public double muProduct() {
        return muProduct;
    }

    /** Advances to the next step: called once per parameter per step, before the update; {@code mu} is NAdam's factor (1 otherwise). */
    void advance(double mu) {
        step++;
        // PyTorch keeps mu_product in a float32 tensor (even in a float64 run) and multiplies by a
        // float32 mu; doing the same keeps its trajectory, and checkpoints, bit for bit.
        muProduct = (float) (muProduct * (float) mu);
    }

    /** Takes {@code other}'s values (resuming an optimizer-owned state from a checkpoint). */
    void copyFrom(ScalarState other) {
        step = other.step;
        muProduct = other.muProduct;
    }

    @Override
    public String toString() {
        return "ScalarState[step=" + step + ", mu_product=" + muProduct + "]";
    }
}
