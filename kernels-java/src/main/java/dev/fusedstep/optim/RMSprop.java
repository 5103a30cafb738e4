package dev.fusedstep.optim;

import java.util.ArrayList;
import java.util.List;

/** torch.optim.RMSprop, with optional centering ({@code grad_avg}) and momentum ({@code momentum_buffer}). */
public record RMSprop(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered,
        boolean maximize) implements OptimizerRule {

    /** PyTorch's defaults: lr 1e-2, alpha 0.99, eps 1e-8. */
    public RMSprop() {
        this(1e-2, 0.99, 1e-8, 0, 0, false, false);
    }

    public RMSprop {
        Check.nonNegative("lr", lr);
        Check.nonNegative("alpha", alpha);
        Check.nonNegative("eps", eps);
        Check.nonNegative("weight_decay", weightDecay);
        Check.nonNegative("momentum", momentum);
    }

    @Override public RMSprop withLr(double lr) { return new RMSprop(lr, alpha, eps, weightDecay, momentum, centered, maximize); }
    public RMSprop withAlpha(double alpha) { return new RMSprop(lr, alpha, eps, weightDecay, momentum, centered, maximize); }
    public RMSprop withEps(double eps) { return new RMSprop(lr, alpha, eps, weightDecay, momentum, centered, maximize); }
    public RMSprop withWeightDecay(double weightDecay) { return new RMSprop(lr, alpha, eps, weightDecay, momentum, centered, maximize); }
    public RMSprop withMomentum(double momentum) { return new RMSprop(lr, alpha, eps, weightDecay, momentum, centered, maximize); }
    public RMSprop withCentered(boolean centered) { return new RMSprop(lr, alpha, eps, weightDecay, momentum, centered, maximize); }
    public RMSprop withMaximize(boolean maximize) { return new RMSprop(lr, alpha, eps, weightDecay, momentum, centered, maximize); }

    @Override public String torchName() { return "RMSprop"; }

    @Override
    public List<String> stateNames() {
        List<String> names = new ArrayList<>(List.of("square_avg"));
        if (momentum > 0) {
            names.add("momentum_buffer");
        }
        if (centered) {
            names.add("grad_avg");
        }
        return List.copyOf(names);
    }
}
