package dev.fusedstep.schedule;

import java.util.OptionalDouble;

/**
 * A learning-rate schedule with torch.optim.lr_scheduler's semantics, written as a pure
 * function of the step count (PyTorch's {@code last_epoch}): a resumed run needs no replay.
 * Bind one to an optimizer with {@link LrScheduler}; {@link ReduceLROnPlateau} is the one
 * schedule that depends on metrics and is not an {@code LrSchedule}.
 */
public sealed interface LrSchedule permits StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR,
        CosineAnnealingWarmRestarts, LinearLR, ConstantLR, PolynomialLR, OneCycleLR, SequentialLR {

    /**
     * The learning rate in force for step {@code step} (0 before the first {@code scheduler.step()})
     * of a group whose initial learning rate is {@code baseLr}.
     */
    double lr(long step, double baseLr);

    /** The momentum (SGD, RMSprop) or beta1 (Adam family) in force, for schedules that cycle it. */
    default OptionalDouble momentum(long step) {
        return OptionalDouble.empty();
    }

    /** Rejects a negative step with a message naming it. */
    static void requireStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step: got " + step + ", expected >= 0");
        }
    }
}
