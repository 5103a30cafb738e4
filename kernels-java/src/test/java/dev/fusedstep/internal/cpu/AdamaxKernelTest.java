package dev.fusedstep.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.optim.Adamax;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdamaxKernelTest {

    static Adamax randomRule(Random rnd) {
        double[] lrs = {1e-3, 2e-3, 1e-2, 0.1};
        double[] epss = {1e-8, 1e-6, 1e-3};
        double[] wds = {0, 0, 1e-2, 0.1};
        return new Adamax(lrs[rnd.nextInt(lrs.length)], 0.5 + 0.49 * rnd.nextDouble(), 0.9 + 0.0999 * rnd.nextDouble(),
                epss[rnd.nextInt(epss.length)], wds[rnd.nextInt(wds.length)], rnd.nextBoolean());
    }

    @Test
    void vectorLoopGivesTheScalarLoopsBits() {
        LoopParityHarness.assertVectorMatchesScalar(rnd -> new AdamaxKernel(randomRule(rnd)), 0xADA3L);
    }

    @Test
    void scalarLoopTracksTheUpdateInDouble() {
        Adamax[] rules = {new Adamax(), new Adamax().withWeightDecay(0.1).withLr(1e-2),
                new Adamax().withMaximize(true).withBetas(0.8, 0.99)};
        for (Adamax r : rules) {
            LoopParityHarness.assertScalarTracksDouble(new AdamaxKernel(r), reference(r), 1037, 12, 1e-5, 7);
        }
    }

    @Test
    void keepsExpAvgAndExpInf() {
        assertEquals(new Adamax().stateNames().size(), new AdamaxKernel(new Adamax()).stateCount());
    }

    /** torch.optim.Adamax's update, in double. */
    private static LoopParityHarness.DoubleReference reference(Adamax r) {
        return (t, p, g, st) -> {
            double[] m = st[0], u = st[1];
            double clr = r.lr() / (1 - Math.pow(r.beta1(), t));
            for (int i = 0; i < p.length; i++) {
                double gi = r.maximize() ? -g[i] : g[i];
                if (r.weightDecay() != 0) {
                    gi += r.weightDecay() * p[i];
                }
                m[i] += (1 - r.beta1()) * (gi - m[i]);
                u[i] = Math.max(r.beta2() * u[i], Math.abs(gi) + r.eps());
                p[i] -= clr * m[i] / u[i];
            }
        };
    }
}
