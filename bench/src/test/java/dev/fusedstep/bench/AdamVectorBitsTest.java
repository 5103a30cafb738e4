package dev.fusedstep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.Adam;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guards the performance work on the Vector API Adam loop: whatever its unrolling or tail,
 * it must give the scalar loop's bits, for every variant of the rule, before and after the bias
 * correction of the second moment reaches 1, and for lengths that exercise each path (shorter
 * than a vector, the vector body, the tail).
 */
class AdamVectorBitsTest {

    private static final long[] SIZES = {1, 7, 16, 17, 63, 64, 65, 100, 255, 4096 + 13, 16384 + 7, 70001};

    private static final List<OptimizerRule> RULES = List.of(
            new AdamW(),
            new AdamW().withWeightDecay(0),
            new AdamW().withAmsgrad(true),
            new AdamW().withMaximize(true),
            // beta2^t drops below half an ulp of 1 within these steps: the path where sqrt(bc2) == 1f
            new AdamW().withBetas(0.9, 0.5),
            new Adam().withWeightDecay(0.1),
            new Adam().withAmsgrad(true).withMaximize(true).withWeightDecay(0.05));

    @Test
    void vectorLoopGivesTheScalarLoopsBits() {
        for (OptimizerRule rule : RULES) {
            for (long n : SIZES) {
                compare(rule, n);
            }
        }
    }

    private static void compare(OptimizerRule rule, long n) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment pS = Buffers.floats(arena, n, Buffers.PARAM);
            MemorySegment pV = Buffers.floats(arena, n, 512);
            MemorySegment g = Buffers.floats(arena, n, Buffers.GRAD);
            Buffers.fill(pS, 11, -2f, 2f);
            pV.copyFrom(pS);
            try (Optimizer scalar = Library.optimizer(rule, pS, g, false, 1);
                    Optimizer vector = Library.optimizer(rule, pV, g, true, 2)) {
                for (int step = 0; step < 40; step++) {
                    // a new gradient each step, with zeros and tiny values among them
                    Buffers.fill(g, 100 + step, -1f, 1f);
                    g.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, 0f);
                    g.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, n - 1, 1e-30f);
                    scalar.step();
                    vector.step();
                }
                String where = rule + " n=" + n;
                assertSameBits(where + " param", Tensor.of(pS, DType.F32), Tensor.of(pV, DType.F32));
                for (String state : rule.stateNames()) {
                    assertSameBits(where + " " + state, scalar.state("w", state), vector.state("w", state));
                }
            }
        }
    }

    private static void assertSameBits(String what, Tensor expected, Tensor actual) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                assertEquals(e[i], a[i], what + " differs at element " + i);
                throw new AssertionError(what + " differs in bits at element " + i + ": " + e[i] + " vs " + a[i]);
            }
        }
    }
}
