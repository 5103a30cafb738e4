package dev.fusedstep.optim;

import java.util.List;

/** torch.optim.Adadelta: {@code delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g}. */
public record Adadelta(double lr, double rho, double eps, double weightDecay, boolean maximize) implements OptimizerRule {

    /** PyTorch's defaults: lr 1.0, rho 0.9, eps 1e-6. */
    public Adadelta() {
        this(1.0, 0.9, 1e-6, 0, false);
    }

    public Adadelta {
        Check.nonNegative("lr", lr);
        Check.inClosedUnitInterval("rho", rho);
        Check.nonNegative("eps", eps);
        Check.nonNegative("weight_decay", weightDecay);
    }

    @Override public Adadelta withLr(double lr) { return new Adadelta(lr, rho, eps, weightDecay, maximize); }
    public Adadelta withRho(double rho) { return new Adadelta(lr, rho, eps, weightDecay, maximize); }
    public Adadelta withEps(double eps) { return new Adadelta(lr, rho, eps, weightDecay, maximize); }
    public Adadelta withWeightDecay(double weightDecay) { return new Adadelta(lr, rho, eps, weightDecay, maximize); }
    public Adadelta withMaximize(boolean maximize) { return new Adadelta(lr, rho, eps, weightDecay, maximize); }

    @Override public String torchName() { return "Adadelta"; }

    @Override public List<String> stateNames() { return List.of("square_avg", "acc_delta"); }
}
