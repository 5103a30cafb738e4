package dev.fusedstep.optim;

import java.util.List;

/**
 * torch.optim.Adam: weight decay as L2 ({@code g += weight_decay * p}), optional AMSGrad and maximize.
 * For decoupled weight decay use {@link AdamW}.
 */
public record Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
        boolean maximize) implements OptimizerRule {

    /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam() {
        this(1e-3, 0.9, 0.999, 1e-8, 0, false, false);
    }

    public Adam {
        Check.nonNegative("lr", lr);
        Check.inUnitInterval("beta1", beta1);
        Check.inUnitInterval("beta2", beta2);
        Check.nonNegative("eps", eps);
        Check.nonNegative("weight_decay", weightDecay);
    }

    @Override public Adam withLr(double lr) { return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
    public Adam withBetas(double beta1, double beta2) { return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
    public Adam withEps(double eps) { return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
    public Adam withWeightDecay(double weightDecay) { return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
    public Adam withAmsgrad(boolean amsgrad) { return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
    public Adam withMaximize(boolean maximize) { return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }

    @Override public String torchName() { return "Adam"; }

    @Override
    public List<String> stateNames() {
        return amsgrad ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq") : List.of("exp_avg", "exp_avg_sq");
    }
}
