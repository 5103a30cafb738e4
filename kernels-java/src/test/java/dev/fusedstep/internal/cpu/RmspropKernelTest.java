package dev.fusedstep.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.optim.RMSprop;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RMSprop: vector loop against scalar loop, every layout, random hyperparameters. */
class RmspropKernelTest {

    @Test
    void vectorLoopMatchesScalarLoopBitForBit() {
        LoopParityHarness.assertVectorMatchesScalar(rnd -> new RmspropKernel(randomRule(rnd)), 0x5A5A);
    }

    @Test
    void centeredMatchesOnBothLerpBranches() {
        // alpha 0.9 lerps with weight 0.1 (self + w*(end-self)), alpha 0.3 with 0.7 (end + (w-1)*(end-self))
        LoopParityHarness.assertVectorMatchesScalar(rnd -> new RmspropKernel(new RMSprop(0.01,
                rnd.nextBoolean() ? 0.9 : 0.3, 1e-8, 1e-3, rnd.nextBoolean() ? 0.9 : 0, true, rnd.nextBoolean())), 19);
    }

    @Test
    void stateCountFollowsMomentumAndCentering() {
        RMSprop plain = new RMSprop();
        assertEquals(plain.stateNames().size(), new RmspropKernel(plain).stateCount());
        RMSprop full = plain.withMomentum(0.9).withCentered(true);
        assertEquals(full.stateNames().size(), new RmspropKernel(full).stateCount());
        assertEquals(3, new RmspropKernel(full).stateCount());
    }

    static RMSprop randomRule(Random rnd) {
        double alpha = switch (rnd.nextInt(3)) {
            case 0 -> 0.99;
            case 1 -> 0.9;
            default -> rnd.nextDouble();
        };
        return new RMSprop(1e-3 + 0.01 * rnd.nextDouble(), alpha, 1e-8, rnd.nextBoolean() ? 0 : 1e-2 * rnd.nextDouble(),
                rnd.nextBoolean() ? 0 : rnd.nextDouble(), rnd.nextBoolean(), rnd.nextBoolean());
    }
}
