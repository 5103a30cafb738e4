package dev.fusedstep.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.optim.Adam;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Adamax;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.SGD;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Whether a step is split over the workers follows its work, not its element count: the cases
 * measured on the reference machine (bench/README.md, "One thread or all").
 */
class ParallelThresholdTest {

    private static boolean split(OptimizerRule rule, long elements, boolean half, boolean vectorized) {
        return CpuBackend.worthSplitting(elements * OptimizerKernel.nanosPerElement(rule, half, vectorized));
    }

    @Test
    void cheapRulesStayOnOneThreadAt64K() {
        for (OptimizerRule rule : List.of(new SGD().withLr(1e-3), new SGD().withLr(1e-3).withMomentum(0.9), new Adamax())) {
            assertFalse(split(rule, 1 << 16, false, true), rule + " at 64K, float32, vector loop");
        }
    }

    @Test
    void everyRuleSplitsAt1M() {
        for (OptimizerRule rule : List.of(new SGD().withLr(1e-3), new Adamax(), new Adam(), new AdamW())) {
            assertTrue(split(rule, 1 << 20, false, true), rule + " at 1M, float32, vector loop");
        }
    }

    @Test
    void halfStorageAndScalarLoopsSplitSooner() {
        OptimizerRule sgd = new SGD().withLr(1e-3);
        assertTrue(split(sgd, 1 << 16, true, true), "SGD at 64K with half-precision storage");
        assertTrue(split(sgd, 1 << 16, false, false), "SGD at 64K, scalar loop");
    }
}
