package dev.fusedstep.optim;

import java.util.List;

/**
 * torch.optim.SGD: {@code momentum_buffer = momentum * buf + (1 - dampening) * g} (the first step
 * copies g), optional Nesterov look-ahead, L2 weight decay folded into the gradient.
 */
public record SGD(double lr, double momentum, double dampening, double weightDecay, boolean nesterov, boolean maximize)
        implements OptimizerRule {

    /** PyTorch's defaults: lr 1e-3, no momentum, no dampening, no weight decay. */
    public SGD() {
        this(1e-3, 0, 0, 0, false, false);
    }

    public SGD {
        Check.nonNegative("lr", lr);
        Check.nonNegative("momentum", momentum);
        Check.nonNegative("weight_decay", weightDecay);
        if (!(dampening >= 0.0 && dampening <= 1.0)) {
            throw new IllegalArgumentException("dampening: got " + dampening + ", expected 0 <= dampening <= 1");
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("nesterov: got true with momentum " + momentum + " and dampening "
                    + dampening + ", expected momentum > 0 and dampening == 0");
        }
    }

    @Override public SGD withLr(double lr) { return new SGD(lr, momentum, dampening, weightDecay, nesterov, maximize); }
    public SGD withMomentum(double momentum) { return new SGD(lr, momentum, dampening, weightDecay, nesterov, maximize); }
    public SGD withDampening(double dampening) { return new SGD(lr, momentum, dampening, weightDecay, nesterov, maximize); }
    public SGD withWeightDecay(double weightDecay) { return new SGD(lr, momentum, dampening, weightDecay, nesterov, maximize); }
    public SGD withNesterov(boolean nesterov) { return new SGD(lr, momentum, dampening, weightDecay, nesterov, maximize); }
    public SGD withMaximize(boolean maximize) { return new SGD(lr, momentum, dampening, weightDecay, nesterov, maximize); }

    @Override public String torchName() { return "SGD"; }

    @Override
    public List<String> stateNames() {
        return momentum != 0 ? List.of("momentum_buffer") : List.of();
    }
}
