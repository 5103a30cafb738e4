package dev.fusedstep.bench;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import java.lang.foreign.MemorySegment;

/** The library's variants, built through the public API exactly as a user would. */
final class Library {
    private Library() {}

    /** Threads of the {@code vectorAll} variant: every core the JVM sees. */
    static int allThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    static Optimizer optimizer(OptimizerRule rule, MemorySegment param, MemorySegment grad, boolean vectorized, int threads) {
        return optimizer(rule, Layout.F32, param, grad, vectorized, threads);
    }

    /** An optimizer over one parameter stored as {@code layout} says. */
    static Optimizer optimizer(OptimizerRule rule, Layout layout, MemorySegment param, MemorySegment grad,
            boolean vectorized, int threads) {
        DType dtype = layout.paramDtype();
        return Optimizer.builder()
                .group(rule, layout.precision(), Param.of("w", Tensor.of(param, dtype), Tensor.of(grad, dtype)))
                .vectorized(vectorized)
                .threads(threads)
                .build();
    }
}
