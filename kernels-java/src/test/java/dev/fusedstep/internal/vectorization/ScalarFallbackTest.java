package dev.fusedstep.internal.vectorization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusedstep.Tensor;
import dev.fusedstep.linalg.Gemm;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.Param;
import org.junit.jupiter.api.Test;

/**
 * Runs in a JVM started without {@code --add-modules jdk.incubator.vector} (a surefire execution
 * of its own): everything must still work, on the scalar kernels, with the reason on record.
 */
class ScalarFallbackTest {

    @Test
    void withoutTheVectorModuleTheScalarKernelsRun() {
        // Its own surefire execution runs it without the module; a JVM with the module (an IDE, -Dtest=...) skips it.
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty(),
                "runs only in a JVM without jdk.incubator.vector (surefire execution 'without-vector-module')");
        VectorizationProvider provider = VectorizationProvider.getInstance();
        assertFalse(provider.vectorized());
        assertTrue(provider.describe().contains("--add-modules jdk.incubator.vector"), provider.describe());

        float[] p = {1, 2, 3}, g = {0.5f, -0.5f, 1};
        try (Optimizer opt = Optimizer.builder().group(new AdamW().withLr(0.1), Param.of("w", Tensor.of(p), Tensor.of(g))).build()) {
            assertFalse(opt.vectorized());
            opt.step();
        }
        assertNotEquals(1f, p[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizer.builder().vectorized(true)
                .group(new AdamW(), Param.of("w", Tensor.of(p), Tensor.of(g))).build());
        assertTrue(e.getMessage().contains("vectorized"), e.getMessage());

        float[] c = new float[1];
        Gemm.matmul(Tensor.of(new float[] {1, 2}, 1, 2), Tensor.of(new float[] {3, 4}, 2, 1), Tensor.of(c, 1, 1));
        assertEquals(11f, c[0], "the GEMM's scalar loop");
    }
}
