package dev.fusedstep.optim;

import java.util.List;

/**
 * torch.optim.NAdam: Adam with Nesterov momentum and the momentum-decay schedule
 * {@code mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))}; keeps the scalar state {@code mu_product}.
 */
public record NAdam(double lr, double beta1, double beta2, double eps, double weightDecay, double momentumDecay,
        boolean decoupledWeightDecay, boolean maximize) implements OptimizerRule {

    /** PyTorch's defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, momentum_decay 4e-3. */
    public NAdam() {
        this(2e-3, 0.9, 0.999, 1e-8, 0, 4e-3, false, false);
    }

    public NAdam {
        Check.nonNegative("lr", lr);
        Check.inUnitInterval("beta1", beta1);
        Check.inUnitInterval("beta2", beta2);
        Check.nonNegative("eps", eps);
        Check.nonNegative("weight_decay", weightDecay);
        Check.nonNegative("momentum_decay", momentumDecay);
    }

    @Override public NAdam withLr(double lr) { return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize); }
    public NAdam withBetas(double beta1, double beta2) { return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize); }
    public NAdam withEps(double eps) { return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize); }
    public NAdam withWeightDecay(double weightDecay) { return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize); }
    public NAdam withMomentumDecay(double momentumDecay) { return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize); }
    public NAdam withDecoupledWeightDecay(boolean d) { return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, d, maximize); }
    public NAdam withMaximize(boolean maximize) { return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize); }

    @Override public String torchName() { return "NAdam"; }

    @Override public List<String> stateNames() { return List.of("exp_avg", "exp_avg_sq"); }
}
