package dev.fusedstep.optim;

import java.util.List;

/** torch.optim.AdamW: Adam with decoupled weight decay ({@code p *= 1 - lr * weight_decay} before the update). */
public record AdamW(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
        boolean maximize) implements OptimizerRule {

    /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2. */
    public AdamW() {
        this(1e-3, 0.9, 0.999, 1e-8, 1e-2, false, false);
    }

    public AdamW {
        Check.nonNegative("lr", lr);
        Check.inUnitInterval("beta1", beta1);
        Check.inUnitInterval("beta2", beta2);
        Check.nonNegative("eps", eps);
        Check.nonNegative("weight_decay", weightDecay);
    }

    @Override public AdamW withLr(double lr) { return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
    public AdamW withBetas(double beta1, double beta2) { return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
    public AdamW withEps(double eps) { return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
    public AdamW withWeightDecay(double weightDecay) { return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
    public AdamW withAmsgrad(boolean amsgrad) { return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }
    public AdamW withMaximize(boolean maximize) { return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize); }

    @Override public String torchName() { return "AdamW"; }

    @Override
    public List<String> stateNames() {
        return amsgrad ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq") : List.of("exp_avg", "exp_avg_sq");
    }
}
