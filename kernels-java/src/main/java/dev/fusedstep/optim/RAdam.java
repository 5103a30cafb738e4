package dev.fusedstep.optim;

import java.util.List;

/** torch.optim.RAdam: Adam with the variance rectification term, plain momentum while {@code rho_t <= 5}. */
public record RAdam(double lr, double beta1, double beta2, double eps, double weightDecay,
        boolean decoupledWeightDecay, boolean maximize) implements OptimizerRule {

    /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8. */
    public RAdam() {
        this(1e-3, 0.9, 0.999, 1e-8, 0, false, false);
    }

    public RAdam {
        Check.nonNegative("lr", lr);
        Check.inUnitInterval("beta1", beta1);
        Check.inUnitInterval("beta2", beta2);
        Check.nonNegative("eps", eps);
        Check.nonNegative("weight_decay", weightDecay);
    }

    @Override public RAdam withLr(double lr) { return new RAdam(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize); }
    public RAdam withBetas(double beta1, double beta2) { return new RAdam(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize); }
    public RAdam withEps(double eps) { return new RAdam(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize); }
    public RAdam withWeightDecay(double weightDecay) { return new RAdam(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize); }
    public RAdam withDecoupledWeightDecay(boolean d) { return new RAdam(lr, beta1, beta2, eps, weightDecay, d, maximize); }
    public RAdam withMaximize(boolean maximize) { return new RAdam(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize); }

    @Override public String torchName() { return "RAdam"; }

    @Override public List<String> stateNames() { return List.of("exp_avg", "exp_avg_sq"); }
}
