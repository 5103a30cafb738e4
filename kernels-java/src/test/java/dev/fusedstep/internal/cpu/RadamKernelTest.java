package dev.fusedstep.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.optim.RAdam;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RadamKernelTest {

    private static final double BETA2_MIN = 0.9, BETA2_SPAN = 0.0999;

    static RAdam randomRule(Random rnd) {
        double[] lrs = {1e-3, 2e-3, 1e-2, 0.1};
        double[] epss = {1e-8, 1e-6, 1e-3};
        double[] wds = {0, 0, 1e-2, 0.1};
        return new RAdam(lrs[rnd.nextInt(lrs.length)], 0.5 + 0.49 * rnd.nextDouble(),
                BETA2_MIN + BETA2_SPAN * rnd.nextDouble(), epss[rnd.nextInt(epss.length)],
                wds[rnd.nextInt(wds.length)], rnd.nextBoolean(), rnd.nextBoolean());
    }

    @Test
    void vectorLoopGivesTheScalarLoopsBits() {
        LoopParityHarness.assertVectorMatchesScalar(rnd -> new RadamKernel(randomRule(rnd)), 0x4ADA3L);
    }

    /** The parity runs cover 10 steps: both the plain-momentum and the rectified branch must occur in them. */
    @Test
    void theParityStepsCoverBothBranches() {
        for (double beta2 : new double[] {BETA2_MIN, BETA2_MIN + BETA2_SPAN / 2, BETA2_MIN + BETA2_SPAN}) {
            assertFalse(RadamKernel.rectifies(1, beta2), "beta2 " + beta2 + " step 1");
            assertTrue(RadamKernel.rectifies(10, beta2), "beta2 " + beta2 + " step 10");
        }
        // PyTorch's defaults switch to the rectified update at step 6.
        assertFalse(RadamKernel.rectifies(5, 0.999));
        assertTrue(RadamKernel.rectifies(6, 0.999));
    }

    @Test
    void scalarLoopTracksTheUpdateInDouble() {
        RAdam[] rules = {new RAdam(), new RAdam().withWeightDecay(0.1).withLr(1e-2),
                new RAdam().withWeightDecay(0.1).withDecoupledWeightDecay(true).withMaximize(true),
                new RAdam().withBetas(0.8, 0.9)};
        for (RAdam r : rules) {
            LoopParityHarness.assertScalarTracksDouble(new RadamKernel(r), reference(r), 1037, 12, 1e-5, 7);
        }
    }

    @Test
    void keepsExpAvgAndExpAvgSq() {
        assertEquals(new RAdam().stateNames().size(), new RadamKernel(new RAdam()).stateCount());
    }

    /** torch.optim.RAdam's update, in double. */
    private static LoopParityHarness.DoubleReference reference(RAdam r) {
        return (t, p, g, st) -> {
            double[] m = st[0], v = st[1];
            double bc1 = 1 - Math.pow(r.beta1(), t), bc2 = 1 - Math.pow(r.beta2(), t);
            double rhoInf = 2 / (1 - r.beta2()) - 1;
            double rhoT = rhoInf - 2 * t * Math.pow(r.beta2(), t) / bc2;
            double rect = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
            for (int i = 0; i < p.length; i++) {
                double gi = r.maximize() ? -g[i] : g[i];
                if (r.weightDecay() != 0) {
                    if (r.decoupledWeightDecay()) {
                        p[i] *= 1 - r.lr() * r.weightDecay();
                    } else {
                        gi += r.weightDecay() * p[i];
                    }
                }
                m[i] += (1 - r.beta1()) * (gi - m[i]);
                v[i] = r.beta2() * v[i] + (1 - r.beta2()) * gi * gi;
                double update = m[i] / bc1 * r.lr();
                if (rhoT > 5) {
                    update *= Math.sqrt(bc2) / (Math.sqrt(v[i]) + r.eps()) * rect;
                }
                p[i] -= update;
            }
        };
    }
}
