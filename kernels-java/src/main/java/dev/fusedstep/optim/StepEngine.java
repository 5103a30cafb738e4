package dev.fusedstep.optim;

import dev.fusedstep.Tensor;

/**
 * Where an {@link Optimizer}'s state lives and its steps run: the CPU ({@link CpuSteps}) or a CUDA
 * device ({@link CudaSteps}). The optimizer validates, names and groups the parameters; an engine
 * owns the state buffers and the step. Parameters are addressed by their index in group order.
 */
abstract class StepEngine implements AutoCloseable {

    /** Each parameter's state buffers, in its rule's {@code stateNames()} order: the engine fills them. */
    final Tensor[][] stateTensors;
    /** Float32 master copies of half-precision parameters (null entries elsewhere): the engine fills them. */
    final Tensor[] masters;

    StepEngine(int params) {
        stateTensors = new Tensor[params][];
        masters = new Tensor[params];
    }

    /** One step of every parameter, each gradient multiplied by {@code gradScale} inside the kernel. */
    abstract void step(float gradScale);

    /** The state buffers of parameter {@code param}, in its rule's {@code stateNames()} order. */
    final Tensor[] states(int param) {
        return stateTensors[param];
    }

    /** The float32 master copy of parameter {@code param}, or null when its group keeps none. */
    final Tensor master(int param) {
        return masters[param];
    }

    /** Parameter {@code param}'s step count and mu_product after the steps taken so far. */
    abstract ScalarState scalarState(int param);

    /** Sets parameter {@code param}'s step count and mu_product (a checkpoint load). */
    abstract void restoreScalarState(int param, ScalarState saved);

    /**
     * Checks that group {@code group} can take {@code rule} from the next step on, and prepares
     * for it; throws, changing nothing, when it cannot.
     */
    abstract void ruleChanging(int group, OptimizerRule rule);

    /** Whether the state buffers are still allocated. */
    abstract boolean isOpen();

    /** Frees the state buffers (idempotent). */
    @Override
    public abstract void close();
}
