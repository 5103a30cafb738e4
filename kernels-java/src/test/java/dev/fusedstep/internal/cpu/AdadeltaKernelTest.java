package dev.fusedstep.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.optim.Adadelta;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdadeltaKernelTest {

    static Adadelta randomRule(Random rnd) {
        double[] lrs = {1.0, 0.1, 1e-2};
        double[] rhos = {0.9, 0.95, 0.5, 0.0, 1.0};
        double[] epss = {1e-6, 1e-8, 1e-3};
        double[] wds = {0, 0, 1e-2, 0.1};
        return new Adadelta(lrs[rnd.nextInt(lrs.length)], rhos[rnd.nextInt(rhos.length)], epss[rnd.nextInt(epss.length)],
                wds[rnd.nextInt(wds.length)], rnd.nextBoolean());
    }

    @Test
    void vectorLoopGivesTheScalarLoopsBits() {
        LoopParityHarness.assertVectorMatchesScalar(rnd -> new AdadeltaKernel(randomRule(rnd)), 0xADADL);
    }

    @Test
    void scalarLoopTracksTheUpdateInDouble() {
        Adadelta[] rules = {new Adadelta(), new Adadelta().withWeightDecay(0.1),
                new Adadelta().withMaximize(true).withRho(0.5).withLr(0.1)};
        for (Adadelta r : rules) {
            LoopParityHarness.assertScalarTracksDouble(new AdadeltaKernel(r), reference(r), 1037, 12, 1e-5, 7);
        }
    }

    @Test
    void keepsSquareAvgAndAccDelta() {
        assertEquals(new Adadelta().stateNames().size(), new AdadeltaKernel(new Adadelta()).stateCount());
    }

    /** torch.optim.Adadelta's update, in double. */
    private static LoopParityHarness.DoubleReference reference(Adadelta r) {
        return (t, p, g, st) -> {
            double[] sq = st[0], acc = st[1];
            for (int i = 0; i < p.length; i++) {
                double gi = r.maximize() ? -g[i] : g[i];
                if (r.weightDecay() != 0) {
                    gi += r.weightDecay() * p[i];
                }
                sq[i] = r.rho() * sq[i] + (1 - r.rho()) * gi * gi;
                double delta = Math.sqrt(acc[i] + r.eps()) / Math.sqrt(sq[i] + r.eps()) * gi;
                acc[i] = r.rho() * acc[i] + (1 - r.rho()) * delta * delta;
                p[i] -= r.lr() * delta;
            }
        };
    }
}
