package dev.fusedstep.optim;

import dev.fusedstep.Tensor;

/**
 * A trainable parameter and the buffer its gradient is written to, under a name unique within
 * an {@link Optimizer} (e.g. {@code "fc1.weight"}). Both are the caller's memory: the optimizer
 * writes the parameter in place and only reads the gradient.
 */
public record Param(String name, Tensor param, Tensor grad) {
    public Param {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name: got " + (name == null ? "null" : "\"\"") + ", expected a non-empty name");
        }
    }

    public static Param of(String name, Tensor param, Tensor grad) {
        return new Param(name, param, grad);
    }
}
