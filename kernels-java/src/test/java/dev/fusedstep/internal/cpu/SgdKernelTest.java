package dev.fusedstep.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.optim.SGD;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SgdKernelTest {

    @Test
    void vectorLoopGivesTheScalarLoopsBits() {
        ScalarVectorBits.assumeVectorized();
        Random rnd = new Random(0x5D1L);
        for (int run = 0; run < 200; run++) {
            SGD rule = randomRule(rnd);
            ScalarVectorBits.check(rule.toString(), new SgdKernel(rule), 0f, ScalarVectorBits.randomLength(rnd),
                    1 + rnd.nextInt(4), rnd);
        }
    }

    @Test
    void everyTailLengthMatches() {
        ScalarVectorBits.assumeVectorized();
        Random rnd = new Random(17);
        SGD rule = new SGD(0.05, 0.9, 0, 1e-4, true, true);
        for (int n = 0; n <= 70; n++) {
            ScalarVectorBits.check(rule + " all tails", new SgdKernel(rule), 0f, n, 3, rnd);
        }
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
