package dev.fusedstep.internal.cpu;

import dev.fusedstep.optim.Adagrad;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Adagrad: vector loop against scalar loop, every layout, random hyperparameters (lr decay included). */
class AdagradKernelTest {

    @Test
    void vectorLoopMatchesScalarLoopBitForBit() {
        LoopParityHarness.assertVectorMatchesScalar(rnd -> new AdagradKernel(randomRule(rnd)), 0xADA6);
    }

    static Adagrad randomRule(Random rnd) {
        return new Adagrad(1e-3 + 0.1 * rnd.nextDouble(), rnd.nextBoolean() ? 0 : 0.1 * rnd.nextDouble(),
                rnd.nextBoolean() ? 0 : 1e-2 * rnd.nextDouble(), rnd.nextBoolean() ? 0 : rnd.nextDouble(),
                rnd.nextBoolean() ? 1e-10 : 1e-6, rnd.nextBoolean());
    }
}
