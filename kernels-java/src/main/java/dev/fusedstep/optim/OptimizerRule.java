package dev.fusedstep.optim;

import java.util.List;

/**
 * An optimizer's update rule and hyperparameters: an immutable record with PyTorch's argument
 * names (camel-cased), defaults and validation. Rules carry no state; an {@link Optimizer} or
 * a framework's own buffers hold it, in the order {@link #stateNames()} gives.
 */
public sealed interface OptimizerRule permits SGD, Adagrad, RMSprop, Adam, AdamW, Adamax, NAdam, RAdam, Adadelta {

    /** The learning rate. */
    double lr();

    /** The same rule with another learning rate (what a schedule changes between steps). */
    OptimizerRule withLr(double lr);

    /** The torch.optim class this rule reproduces, e.g. {@code "AdamW"}. */
    String torchName();

    /**
     * Per-element state buffers under PyTorch's names, in the order kernels take them; depends
     * on the hyperparameters (e.g. {@code max_exp_avg_sq} only with amsgrad).
     */
    List<String> stateNames();

    /** The value a state buffer starts with (PyTorch initializes most to zero). */
    default float initialStateValue(String stateName) {
        return 0f;
    }
}
