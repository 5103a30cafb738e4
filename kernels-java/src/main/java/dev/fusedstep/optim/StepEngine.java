package dev.fusedstep.optim;

import dev.fusedstep.Tensor;

/**
 * Where an {@link Optimizer}'s state lives and its steps run: the CPU ({@link CpuSteps}) or a CUDA
 * device ({@link CudaSteps}). The optimizer validates, names and groups the parameters; an engine
 * owns the state buffers and the step. Parameters are addressed by their index in group order.
 */
interface StepEngine extends AutoCloseable {

    /** One step of every parameter, each gradient multiplied by {@code gradScale} inside the kernel. */
    void step(float gradScale);

    /** The state buffers of parameter {@code param}, in its rule's {@code stateNames()} order. */
    Tensor[] states(int param);

    /** The float32 master copy of parameter {@code param}, or null when its group keeps none. */
    Tensor master(int param);

    /** Parameter {@code param}'s step count and mu_product after the steps taken so far. */
    ScalarState scalarState(int param);

    /** Sets parameter {@code param}'s step count and mu_product (a checkpoint load). */
    void restoreScalarState(int param, ScalarState saved);

    /**
     * Checks that group {@code group} can take {@code rule} from the next step on, and prepares
     * for it; throws, changing nothing, when it cannot.
     */
    void ruleChanging(int group, OptimizerRule rule);

    /** Whether the state buffers are still allocated. */
    boolean isOpen();

    /** Frees the state buffers (idempotent). */
    @Override
    void close();
}
