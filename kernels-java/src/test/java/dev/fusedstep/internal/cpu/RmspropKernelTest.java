package dev.fusedstep.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.optim.RMSprop;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RmspropKernelTest {

    @Test
    void vectorLoopGivesTheScalarLoopsBits() {
        ScalarVectorBits.assumeVectorized();
        Random rnd = new Random(0x5A5A);
        for (int run = 0; run < 200; run++) {
            RMSprop rule = randomRule(rnd);
            ScalarVectorBits.check(rule.toString(), new RmspropKernel(rule), 0f, ScalarVectorBits.randomLength(rnd),
                    1 + rnd.nextInt(4), rnd);
        }
    }

    @Test
    void everyTailLengthMatchesOnBothLerpBranches() {
        ScalarVectorBits.assumeVectorized();
        Random rnd = new Random(19);
        // alpha 0.9 lerps with weight 0.1 (self + w*(end-self)), alpha 0.3 with 0.7 (end + (w-1)*(end-self))
        for (double alpha : new double[] {0.9, 0.3}) {
            RMSprop rule = new RMSprop(0.01, alpha, 1e-8, 1e-3, 0.9, true, true);
            for (int n = 0; n <= 70; n++) {
                ScalarVectorBits.check(rule + " all tails", new RmspropKernel(rule), 0f, n, 3, rnd);
            }
        }
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
