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
        return Optimizer.builder()
                .group(rule, Param.of("w", Tensor.of(param, DType.F32), Tensor.of(grad, DType.F32)))
                .vectorized(vectorized)
                .threads(threads)
                .build();
    }
}
