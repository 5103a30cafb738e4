package dev.fusedstep.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fusedstep.optim.NAdam;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NadamKernelTest {

    static NAdam randomRule(Random rnd) {
        double[] lrs = {1e-3, 2e-3, 1e-2, 0.1};
        double[] epss = {1e-8, 1e-6, 1e-3};
        double[] wds = {0, 0, 1e-2, 0.1};
        double[] decays = {4e-3, 0, 0.1};
        return new NAdam(lrs[rnd.nextInt(lrs.length)], 0.5 + 0.49 * rnd.nextDouble(), 0.9 + 0.0999 * rnd.nextDouble(),
                epss[rnd.nextInt(epss.length)], wds[rnd.nextInt(wds.length)], decays[rnd.nextInt(decays.length)],
                rnd.nextBoolean(), rnd.nextBoolean());
    }

    @Test
    void vectorLoopGivesTheScalarLoopsBits() {
        LoopParityHarness.assertVectorMatchesScalar(rnd -> new NadamKernel(randomRule(rnd)), 0x7ADA3L);
    }

    @Test
    void scalarLoopTracksTheUpdateInDouble() {
        NAdam[] rules = {new NAdam(), new NAdam().withWeightDecay(0.1).withLr(1e-2),
                new NAdam().withWeightDecay(0.1).withDecoupledWeightDecay(true).withMaximize(true),
                new NAdam().withMomentumDecay(0.05).withBetas(0.8, 0.99)};
        for (NAdam r : rules) {
            LoopParityHarness.assertScalarTracksDouble(new NadamKernel(r), reference(r), 1037, 12, 1e-5, 7);
        }
    }

    @Test
    void momentumFactorIsPyTorchsMuSchedule() {
        NadamKernel k = new NadamKernel(new NAdam());
        assertEquals(0.9 * (1 - 0.5 * Math.pow(0.96, 0.004)), k.momentumFactor(1), 0);
        assertEquals(0.9 * (1 - 0.5 * Math.pow(0.96, 0.04)), k.momentumFactor(10), 0);
    }

    @Test
    void keepsExpAvgAndExpAvgSq() {
        assertEquals(new NAdam().stateNames().size(), new NadamKernel(new NAdam()).stateCount());
    }

    /** torch.optim.NAdam's update, in double; keeps its own mu_product. */
    private static LoopParityHarness.DoubleReference reference(NAdam r) {
        double[] muProduct = {1.0};
        return (t, p, g, st) -> {
            double[] m = st[0], v = st[1];
            double mu = r.beta1() * (1 - 0.5 * Math.pow(0.96, t * r.momentumDecay()));
            double muNext = r.beta1() * (1 - 0.5 * Math.pow(0.96, (t + 1) * r.momentumDecay()));
            muProduct[0] *= mu;
            double bc2 = 1 - Math.pow(r.beta2(), t);
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
                double denom = Math.sqrt(v[i] / bc2) + r.eps();
                p[i] -= r.lr() * (1 - mu) / (1 - muProduct[0]) * gi / denom;
                p[i] -= r.lr() * muNext / (1 - muProduct[0] * muNext) * m[i] / denom;
            }
        };
    }
}
