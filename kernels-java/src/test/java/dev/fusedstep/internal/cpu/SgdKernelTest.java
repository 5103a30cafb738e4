package dev.fusedstep.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.optim.SGD;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SGD: vector loop against scalar loop, every layout, random hyperparameters. Every trajectory
 * starts at step 1, so the first-step buffer copy is compared along with the later steps.
 */
class SgdKernelTest {

    @Test
    void vectorLoopMatchesScalarLoopBitForBit() {
        LoopParityHarness.assertVectorMatchesScalar(rnd -> new SgdKernel(randomRule(rnd)), 0x5D1L);
    }

    @Test
    void nesterovAndDampeningMatchOnEveryLayout() {
        // the random rules reach each branch only now and then; these pin them down
        LoopParityHarness.assertVectorMatchesScalar(rnd -> new SgdKernel(rnd.nextBoolean()
                ? new SGD(0.05, 0.9, 0, 1e-4, true, rnd.nextBoolean())
                : new SGD(0.05, 0.9, 0.3, 1e-4, false, rnd.nextBoolean())), 17);
    }

    @Test
    void allBf16LoopMatchesScalarLoop() {
        // the one-pass all-BF16 loop (vectorFused), every case
        LoopParityHarness.assertVectorMatchesScalar(rnd -> new SgdKernel(randomRule(rnd)), 0xB16_5DL,
                LoopParityHarness.Layout.ALL_BF16);
    }

    @Test
    void bf16StatesLoopMatchesScalarLoop() {
        // the one-pass loop for float32 parameters with a BF16 momentum buffer, every case
        LoopParityHarness.assertVectorMatchesScalar(rnd -> new SgdKernel(randomRule(rnd).withMomentum(0.9)), 0xB16_57L,
                LoopParityHarness.Layout.BF16_STATES);
    }

    @Test
    void stateCountFollowsMomentum() {
        assertEquals(0, new SgdKernel(new SGD()).stateCount());
        assertEquals(1, new SgdKernel(new SGD().withMomentum(0.9)).stateCount());
    }

    static SGD randomRule(Random rnd) {
        double momentum = rnd.nextBoolean() ? 0 : 0.5 + 0.49 * rnd.nextDouble();
        boolean nesterov = momentum > 0 && rnd.nextBoolean();
        double dampening = nesterov || rnd.nextBoolean() ? 0 : rnd.nextDouble();
        double weightDecay = rnd.nextBoolean() ? 0 : 1e-2 * rnd.nextDouble();
        return new SGD(1e-3 + 0.1 * rnd.nextDouble(), momentum, dampening, weightDecay, nesterov, rnd.nextBoolean());
    }
}
