package dev.fusedstep.conformance;

import dev.fusedstep.optim.ScalarState;

/**
 * One parameter stepped through a golden case on some backend: the comparison in
 * {@link Conformance} is the same wherever the step runs, only these few operations differ.
 */
interface CaseReplay extends AutoCloseable {

    /** What ran, for the report, e.g. "vector, 2 threads" or "cuda:0 (NVIDIA H100 ...)". */
    String backend();

    /** Sets the gradient for the next step. */
    void gradient(float[] grad);

    void step();

    /** The parameter after the last step. */
    float[] param();

    /** State buffer {@code name} (PyTorch's name) after the last step. */
    float[] state(String name);

    ScalarState scalarState();

    @Override
    void close();
}
