package dev.fusedstep.optim;

import java.util.List;

/** torch.optim.Adagrad: {@code sum += g^2}, {@code p -= clr * g / (sqrt(sum) + eps)} with {@code clr = lr / (1 + (step - 1) * lr_decay)}. */
public record Adagrad(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps,
        boolean maximize) implements OptimizerRule {

    /** PyTorch's defaults: lr 1e-2, eps 1e-10. */
    public Adagrad() {
        this(1e-2, 0, 0, 0, 1e-10, false);
    }

    public Adagrad {
        Check.nonNegative("lr", lr);
        Check.nonNegative("lr_decay", lrDecay);
        Check.nonNegative("weight_decay", weightDecay);
        Check.nonNegative("initial_accumulator_value", initialAccumulatorValue);
        Check.nonNegative("eps", eps);
    }

    @Override public Adagrad withLr(double lr) { return new Adagrad(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize); }
    public Adagrad withLrDecay(double lrDecay) { return new Adagrad(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize); }
    public Adagrad withWeightDecay(double weightDecay) { return new Adagrad(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize); }
    public Adagrad withInitialAccumulatorValue(double v) { return new Adagrad(lr, lrDecay, weightDecay, v, eps, maximize); }
    public Adagrad withEps(double eps) { return new Adagrad(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize); }
    public Adagrad withMaximize(boolean maximize) { return new Adagrad(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize); }

    @Override public String torchName() { return "Adagrad"; }

    @Override public List<String> stateNames() { return List.of("sum"); }

    @Override
    public float initialStateValue(String stateName) {
        return "sum".equals(stateName) ? (float) initialAccumulatorValue : 0f;
    }
}
