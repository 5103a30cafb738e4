package dev.fusedstep.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void stepMatchesTheStatelessEntryBitForBit() {
        float[] p1 = random(1000, 1), g = random(1000, 2);
        float[] p2 = p1.clone(), m = new float[1000], v = new float[1000];
        AdamW rule = new AdamW().withLr(1e-2);
        ScalarState scalar = new ScalarState();
        try (Optimizer opt = Optimizer.builder().group(rule, Param.of("w", Tensor.of(p1), Tensor.of(g))).build()) {
            for (int s = 0; s < 5; s++) {
                opt.step();
                FusedStep.step(rule, scalar, Tensor.of(p2), Tensor.of(g), Tensor.of(m), Tensor.of(v));
            }
            assertArrayEquals(p2, p1);
            assertArrayEquals(m, opt.state("w", "exp_avg").toFloatArray());
            assertArrayEquals(v, opt.state("w", "exp_avg_sq").toFloatArray());
            assertEquals(5, opt.scalarState("w").step());
            assertEquals(List.of("exp_avg", "exp_avg_sq"), List.copyOf(opt.states("w").keySet()));
        }
    }

    @Test
    void groupsKeepTheirOwnHyperparameters() {
        float[] w = random(64, 1), gw = random(64, 2), b = random(8, 3), gb = random(8, 4);
        float[] wRef = w.clone(), bRef = b.clone();
        AdamW decayed = new AdamW().withLr(0.1).withWeightDecay(0.5);
        AdamW plain = decayed.withWeightDecay(0);
        try (Optimizer opt = Optimizer.builder()
                .group(decayed, Param.of("w", Tensor.of(w), Tensor.of(gw)))
                .group(plain, Param.of("b", Tensor.of(b), Tensor.of(gb)))
                .build()) {
            opt.step();
        }
        FusedStep.step(decayed, new ScalarState(), Tensor.of(wRef), Tensor.of(gw), Tensor.of(new float[64]), Tensor.of(new float[64]));
        FusedStep.step(plain, new ScalarState(), Tensor.of(bRef), Tensor.of(gb), Tensor.of(new float[8]), Tensor.of(new float[8]));
        assertArrayEquals(wRef, w);
        assertArrayEquals(bRef, b);
    }

    @Test
    void setLrTakesEffectOnTheNextStep() {
        float[] p = new float[16], g = random(16, 2);
        try (Optimizer opt = Optimizer.builder().group(new SGD().withLr(1.0), Param.of("w", Tensor.of(p), Tensor.of(g))).build()) {
            opt.groups().get(0).setLr(0.0);
            opt.step();
            assertArrayEquals(new float[16], p);
            assertEquals(0.0, opt.groups().get(0).lr());
            opt.groups().get(0).setLr(1.0);
            opt.step();
            for (int i = 0; i < 16; i++) {
                assertEquals(-g[i], p[i]);
            }
        }
    }

    @Test
    void threadCountNeverChangesAResult() {
        // Sizes cross chunk boundaries; several tensors share one pool. Together they are enough
        // work for even plain SGD to be split over the threads (CpuBackend.worthSplitting).
        int[] sizes = {0, 1, 16383, 16385, 50000, 250_001};
        for (OptimizerRule rule : AllRules.everyConfiguration()) {
            List<float[]> reference = null;
            for (int threads : new int[] {1, 2, 3}) {
                List<float[]> params = new ArrayList<>();
                List<Param> ps = new ArrayList<>();
                for (int t = 0; t < sizes.length; t++) {
                    float[] p = random(sizes[t], 10 + t);
                    params.add(p);
                    ps.add(Param.of("p" + t, Tensor.of(p), Tensor.of(random(sizes[t], 20 + t))));
                }
                try (Optimizer opt = Optimizer.builder().threads(threads).group(rule, ps).build()) {
                    for (int s = 0; s < 3; s++) {
                        opt.step();
                    }
                    for (int t = 0; t < sizes.length; t++) {
                        for (Tensor state : opt.states("p" + t).values()) {
                            params.add(state.toFloatArray());
                        }
                    }
                }
                if (reference == null) {
                    reference = params;
                } else {
                    for (int k = 0; k < params.size(); k++) {
                        assertArrayEquals(reference.get(k), params.get(k), rule + " with " + threads + " threads, buffer " + k);
                    }
                }
            }
        }
    }

    @Test
    void stateStartsAsPyTorchInitializesIt() {
        float[] p = new float[5], g = new float[5];
        try (Optimizer opt = Optimizer.builder()
                .group(new Adagrad().withInitialAccumulatorValue(0.25), Param.of("w", Tensor.of(p), Tensor.of(g))).build()) {
            assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f, 0.25f}, opt.state("w", "sum").toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> opt.state("w", "exp_avg"));
            assertThrows(IllegalArgumentException.class, () -> opt.state("nope", "sum"));
        }
    }

    @Test
    void stateBuffersDoNotAliasModulo4096() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor p = Tensor.allocate(arena, DType.F32, 1 << 16), g = Tensor.allocate(arena, DType.F32, 1 << 16);
            try (Optimizer opt = Optimizer.builder().group(new AdamW().withAmsgrad(true), Param.of("w", p, g)).build()) {
                Set<Long> residues = new HashSet<>();
                residues.add(p.segment().address() % 4096);
                residues.add(g.segment().address() % 4096);
                for (Tensor s : opt.states("w").values()) {
                    assertEquals(0, s.segment().address() % 64, "state buffers are cache-line aligned");
                    residues.add(s.segment().address() % 4096);
                }
                assertEquals(2 + 3, residues.size(), "param, grad and three states start at distinct addresses mod 4096");
            }
        }
    }

    @Test
    void closeFreesTheState() {
        float[] p = new float[4], g = new float[4];
        Optimizer opt = Optimizer.builder().group(new AdamW(), Param.of("w", Tensor.of(p), Tensor.of(g))).build();
        Tensor m = opt.state("w", "exp_avg");
        opt.close();
        assertThrows(IllegalStateException.class, () -> m.getFloat(0));
        assertThrows(IllegalStateException.class, opt::step);
        opt.close(); // idempotent
    }

    @Test
    void stepAllocatesNothingOnTheCallingThread() {
        float[] p = random(4096, 1), g = random(4096, 2);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Optimizer opt = Optimizer.builder().threads(1).vectorized(false)
                .group(new AdamW(), Param.of("w", Tensor.of(p), Tensor.of(g)))
                .group(new AdamW().withWeightDecay(0), Param.of("b", Tensor.of(random(10, 3)), Tensor.of(random(10, 4))))
                .build()) {
            // Warm up past the first compilations: a deoptimization re-allocates the objects C2
            // had scalar-replaced, on this thread, which is the JIT's doing, not the step's.
            for (int s = 0; s < 100; s++) {
                opt.step();
            }
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int s = 0; s < 200; s++) {
                opt.step();
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            assertTrue(allocated < 1024, "200 steps allocated " + allocated + " bytes, expected none");
        }
    }

    @Test
    void theRulesReportPyTorchStateNames() {
        assertEquals(List.of(), new SGD().stateNames());
        assertEquals(List.of("momentum_buffer"), new SGD().withMomentum(0.9).stateNames());
        assertEquals(List.of("square_avg", "momentum_buffer", "grad_avg"),
                new RMSprop().withMomentum(0.9).withCentered(true).stateNames());
        assertEquals(List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq"), new Adam().withAmsgrad(true).stateNames());
        assertEquals(List.of("exp_avg", "exp_inf"), new Adamax().stateNames());
        assertEquals(List.of("square_avg", "acc_delta"), new Adadelta().stateNames());
        assertNotEquals(new AdamW(), new AdamW().withLr(1));
    }
}
