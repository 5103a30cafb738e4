package dev.fusedstep.optim;

import java.util.List;

/** torch.optim.Adamax: Adam with the infinity norm ({@code exp_inf = max(beta2 * exp_inf, |g| + eps)}). */
public record Adamax(double lr, double beta1, double beta2, double eps, double weightDecay, boolean maximize)
        implements OptimizerRule {

    /** PyTorch's defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8. */
    public Adamax() {
        this(2e-3, 0.9, 0.999, 1e-8, 0, false);
    }

    public Adamax {
        Check.nonNegative("lr", lr);
        Check.inUnitInterval("beta1", beta1);
        Check.inUnitInterval("beta2", beta2);
        Check.nonNegative("eps", eps);
        Check.nonNegative("weight_decay", weightDecay);
    }

    @Override public Adamax withLr(double lr) { return new Adamax(lr, beta1, beta2, eps, weightDecay, maximize); }
    public Adamax withBetas(double beta1, double beta2) { return new Adamax(lr, beta1, beta2, eps, weightDecay, maximize); }
    public Adamax withEps(double eps) { return new Adamax(lr, beta1, beta2, eps, weightDecay, maximize); }
    public Adamax withWeightDecay(double weightDecay) { return new Adamax(lr, beta1, beta2, eps, weightDecay, maximize); }
    public Adamax withMaximize(boolean maximize) { return new Adamax(lr, beta1, beta2, eps, weightDecay, maximize); }

    @Override public String torchName() { return "Adamax"; }

    @Override public List<String> stateNames() { return List.of("exp_avg", "exp_inf"); }
}
