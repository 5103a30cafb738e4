package dev.fusedstep.internal.cpu;

import dev.fusedstep.optim.Adagrad;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdagradKernelTest {

    @Test
    void vectorLoopGivesTheScalarLoopsBits() {
        ScalarVectorBits.assumeVectorized();
        Random rnd = new Random(0xADA6);
        for (int run = 0; run < 200; run++) {
            Adagrad rule = randomRule(rnd);
            ScalarVectorBits.check(rule.toString(), new AdagradKernel(rule), rule.initialStateValue("sum"),
                    ScalarVectorBits.randomLength(rnd), 1 + rnd.nextInt(4), rnd);
        }
    }

    @Test
    void everyTailLengthMatches() {
        ScalarVectorBits.assumeVectorized();
        Random rnd = new Random(18);
        Adagrad rule = new Adagrad(0.1, 0.01, 0.01, 0.1, 1e-10, true);
        for (int n = 0; n <= 70; n++) {
            ScalarVectorBits.check(rule + " all tails", new AdagradKernel(rule), 0.1f, n, 3, rnd);
        }
    }

    static Adagrad randomRule(Random rnd) {
        return new Adagrad(1e-3 + 0.1 * rnd.nextDouble(), rnd.nextBoolean() ? 0 : 0.1 * rnd.nextDouble(),
                rnd.nextBoolean() ? 0 : 1e-2 * rnd.nextDouble(), rnd.nextBoolean() ? 0 : rnd.nextDouble(),
                rnd.nextBoolean() ? 1e-10 : 1e-6, rnd.nextBoolean());
    }
}
