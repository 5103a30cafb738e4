package dev.fusedstep.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.DType;
import dev.fusedstep.Device;
import dev.fusedstep.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every rejected call names the argument, the value and what was expected, and leaves every
 * buffer exactly as it was.
 */
class BadInputTest {

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** Runs {@code call}, expects {@code type} with every fragment in its message, and checks the arrays did not change. */
    private static <T extends Throwable> void rejects(Class<T> type, Executable call, List<float[]> buffers,
            String... fragments) {
        List<float[]> before = buffers.stream().map(float[]::clone).toList();
        T e = assertThrows(type, call::run);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message \"" + e.getMessage() + "\" lacks \"" + f + "\"");
        }
        for (int i = 0; i < buffers.size(); i++) {
            assertArrayEquals(before.get(i), buffers.get(i), "buffer " + i + " changed by a rejected call");
        }
    }

    @FunctionalInterface
    interface Executable {
        void run() throws Throwable;
    }

    @Test
    void lengthsThatDifferAreRejected() {
        float[] p = random(10, 1), g = random(9, 2), m = new float[10], v = new float[10];
        rejects(IllegalArgumentException.class, () -> FusedStep.step(new AdamW(), new ScalarState(),
                Tensor.of(p), Tensor.of(g), Tensor.of(m), Tensor.of(v)), List.of(p, g, m, v),
                "grad", "9 elements", "expected 10");
        float[] shortState = new float[3];
        rejects(IllegalArgumentException.class, () -> FusedStep.step(new AdamW(), new ScalarState(),
                Tensor.of(p), Tensor.of(random(10, 3)), Tensor.of(m), Tensor.of(shortState)), List.of(p, m, shortState),
                "states[1] (exp_avg_sq)", "3 elements", "expected 10");
        rejects(IllegalArgumentException.class, () -> Optimizer.builder()
                .group(new SGD(), Param.of("w", Tensor.of(p), Tensor.of(g))).build(), List.of(p, g),
                "grad 'w'", "9 elements", "expected 10");
    }

    @Test
    void wrongStateCountIsRejected() {
        float[] p = random(8, 1), g = random(8, 2), m = new float[8];
        rejects(IllegalArgumentException.class, () -> FusedStep.step(new AdamW(), new ScalarState(),
                Tensor.of(p), Tensor.of(g), Tensor.of(m)), List.of(p, g, m), "states", "got 1", "[exp_avg, exp_avg_sq]");
    }

    @Test
    void unsupportedDtypeIsRejected() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor wide = Tensor.allocate(arena, DType.F64, 8);
            float[] g = random(8, 2);
            rejects(IllegalArgumentException.class, () -> Optimizer.builder()
                    .group(new AdamW(), Param.of("w", wide, Tensor.of(g))).build(), List.of(g),
                    "param 'w'", "F64", "expected one of [F32, BF16, F16]");
            Tensor half = Tensor.allocate(arena, DType.BF16, 8);
            rejects(IllegalArgumentException.class, () -> Optimizer.builder()
                    .group(new AdamW(), Param.of("w", half, Tensor.of(g))).build(), List.of(g),
                    "grad 'w'", "F32", "expected BF16 (the dtype of param 'w')");
            rejects(IllegalArgumentException.class, () -> Optimizer.builder()
                    .group(new AdamW(), Precision.masterWeights(), Param.of("w", Tensor.of(random(8, 3)), Tensor.of(g)))
                    .build(), List.of(g), "precision", "already F32");
        }
    }

    @Test
    void readOnlyParamOrStateIsRejected() {
        float[] p = random(8, 1), g = random(8, 2), m = new float[8], v = new float[8];
        Tensor readOnlyParam = Tensor.of(MemorySegment.ofArray(p).asReadOnly(), DType.F32);
        rejects(IllegalArgumentException.class, () -> FusedStep.step(new AdamW(), new ScalarState(),
                readOnlyParam, Tensor.of(g), Tensor.of(m), Tensor.of(v)), List.of(p, g, m, v), "param", "read-only");
        Tensor readOnlyState = Tensor.of(MemorySegment.ofArray(v).asReadOnly(), DType.F32);
        rejects(IllegalArgumentException.class, () -> FusedStep.step(new AdamW(), new ScalarState(),
                Tensor.of(p), Tensor.of(g), Tensor.of(m), readOnlyState), List.of(p, g, m, v), "states[1]", "read-only");
        // A read-only gradient is fine: gradients are only read.
        FusedStep.step(new AdamW(), new ScalarState(), Tensor.of(p), Tensor.of(MemorySegment.ofArray(g).asReadOnly(),
                DType.F32), Tensor.of(m), Tensor.of(v));
    }

    @Test
    void closedSegmentIsRejectedBeforeAnyWrite() {
        float[] p0 = random(100, 1), g0 = random(100, 2);
        Arena arena = Arena.ofShared();
        Tensor p1 = Tensor.allocate(arena, DType.F32, 100), g1 = Tensor.allocate(arena, DType.F32, 100);
        try (Optimizer opt = Optimizer.builder()
                .group(new AdamW(), Param.of("first", Tensor.of(p0), Tensor.of(g0)), Param.of("second", p1, g1))
                .build()) {
            arena.close();
            float[] exp = opt.state("first", "exp_avg").toFloatArray();
            rejects(IllegalStateException.class, opt::step, List.of(p0, g0), "param 'second'", "closed");
            assertArrayEquals(exp, opt.state("first", "exp_avg").toFloatArray());
            assertTrue(opt.scalarState("first").step() == 0, "a rejected step must not advance step counts");
        }
        Arena closed = Arena.ofConfined();
        Tensor gone = Tensor.allocate(closed, DType.F32, 4);
        closed.close();
        float[] g = random(4, 3);
        rejects(IllegalStateException.class, () -> Optimizer.builder()
                .group(new SGD(), Param.of("w", gone, Tensor.of(g))).build(), List.of(g), "param 'w'", "closed");
    }

    @Test
    void memoryConfinedToTheCallerIsSteppedOnTheCallerAndRejectedElsewhere() throws Exception {
        try (Arena confined = Arena.ofConfined()) {
            Tensor p = Tensor.allocate(confined, DType.F32, 40_000), g = Tensor.allocate(confined, DType.F32, 40_000);
            g.copyFrom(random(40_000, 1));
            try (Optimizer opt = Optimizer.builder().threads(2).group(new AdamW(), Param.of("w", p, g)).build()) {
                opt.step(); // three chunks, all on this thread: the workers may not touch confined memory
                assertTrue(p.getFloat(0) != 0f);
                float[] before = p.toFloatArray();
                Throwable[] seen = new Throwable[1];
                Thread other = new Thread(() -> {
                    try {
                        opt.step();
                    } catch (Throwable t) {
                        seen[0] = t;
                    }
                });
                other.start();
                other.join();
                assertTrue(seen[0] instanceof IllegalStateException && seen[0].getMessage().contains("param 'w'")
                        && seen[0].getMessage().contains("confined to another thread"), String.valueOf(seen[0]));
                assertArrayEquals(before, p.toFloatArray());
            }
        }
    }

    @Test
    void overlappingTensorsAreRejected() {
        float[] shared = random(20, 1), m = new float[10], v = new float[10];
        Tensor p = Tensor.of(MemorySegment.ofArray(shared).asSlice(0, 40), DType.F32);
        Tensor g = Tensor.of(MemorySegment.ofArray(shared).asSlice(20, 40), DType.F32);
        rejects(IllegalArgumentException.class, () -> FusedStep.step(new AdamW(), new ScalarState(), p, g,
                Tensor.of(m), Tensor.of(v)), List.of(shared, m, v), "overlaps");
        rejects(IllegalArgumentException.class, () -> FusedStep.step(new AdamW(), new ScalarState(), Tensor.of(m),
                Tensor.of(random(10, 2)), Tensor.of(v), Tensor.of(v)), List.of(m, v), "states[1] (exp_avg_sq)", "overlaps");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(400, 64);
            Tensor a = Tensor.of(block.asSlice(0, 200), DType.F32);
            Tensor b = Tensor.of(block.asSlice(196, 200), DType.F32);
            float[] ga = random(50, 3), gb = random(50, 4);
            assertThrows(IllegalArgumentException.class, () -> Optimizer.builder()
                    .group(new SGD(), Param.of("a", a, Tensor.of(ga)))
                    .group(new SGD(), Param.of("b", b, Tensor.of(gb))).build());
        }
        // Two parameters sharing one gradient buffer only read it: allowed.
        float[] p1 = random(10, 5), p2 = random(10, 6), gShared = random(10, 7);
        Optimizer.builder().group(new SGD(), Param.of("p1", Tensor.of(p1), Tensor.of(gShared)),
                Param.of("p2", Tensor.of(p2), Tensor.of(gShared))).build().close();
    }

    @Test
    void tensorsOnAnotherDeviceAreRejected() {
        float[] p = random(8, 1), m = new float[8], v = new float[8];
        Tensor deviceGrad = Tensor.of(MemorySegment.ofAddress(0x7f0000000000L).reinterpret(32), DType.F32, Device.cuda(0));
        rejects(IllegalArgumentException.class, () -> FusedStep.step(new AdamW(), new ScalarState(), Tensor.of(p),
                deviceGrad, Tensor.of(m), Tensor.of(v)), List.of(p, m, v), "grad", "cuda:0", "expected cpu");
    }

    @Test
    void duplicateNamesAreRejected() {
        float[] a = random(4, 1), b = random(4, 2), ga = random(4, 3), gb = random(4, 4);
        rejects(IllegalArgumentException.class, () -> Optimizer.builder()
                .group(new SGD(), Param.of("w", Tensor.of(a), Tensor.of(ga)), Param.of("w", Tensor.of(b), Tensor.of(gb)))
                .build(), List.of(a, b), "name", "\"w\" twice");
    }

    @Test
    void hyperparametersOutOfRangeAreRejected() {
        assertMessage(() -> new SGD().withLr(-0.1), "lr", "-0.1", ">= 0");
        assertMessage(() -> new SGD().withMomentum(-1), "momentum", "-1.0");
        assertMessage(() -> new SGD().withNesterov(true), "nesterov", "momentum > 0");
        assertMessage(() -> new SGD(0.1, 0.9, 0.5, 0, true, false), "nesterov", "dampening == 0");
        assertMessage(() -> new AdamW().withBetas(1.0, 0.999), "beta1", "1.0", "< 1");
        assertMessage(() -> new Adam().withBetas(0.9, -0.1), "beta2", "-0.1");
        assertMessage(() -> new Adam().withEps(-1e-8), "eps", "-1.0E-8");
        assertMessage(() -> new AdamW().withWeightDecay(Double.NaN), "weight_decay", "NaN");
        assertMessage(() -> new Adagrad().withLrDecay(-1), "lr_decay");
        assertMessage(() -> new Adagrad().withInitialAccumulatorValue(-1), "initial_accumulator_value");
        assertMessage(() -> new RMSprop().withAlpha(-0.5), "alpha");
        assertMessage(() -> new Adamax().withBetas(0.9, 1.5), "beta2");
        assertMessage(() -> new NAdam().withMomentumDecay(-1), "momentum_decay");
        assertMessage(() -> new RAdam().withLr(Double.POSITIVE_INFINITY), "lr", "Infinity");
        assertMessage(() -> new Adadelta().withRho(1.5), "rho", "1.5");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String... fragments) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        for (String f : fragments) {
            assertTrue(x.getMessage().contains(f), () -> "message \"" + x.getMessage() + "\" lacks \"" + f + "\"");
        }
    }

    @Test
    void rejectedRuleChangeKeepsTheOldRule() {
        float[] p = random(4, 1), g = random(4, 2);
        try (Optimizer opt = Optimizer.builder().group(new AdamW(), Param.of("w", Tensor.of(p), Tensor.of(g))).build()) {
            ParamGroup group = opt.groups().get(0);
            assertMessage(() -> group.setRule(new SGD()), "rule", "SGD", "AdamW");
            assertMessage(() -> group.setRule(new AdamW().withAmsgrad(true)), "max_exp_avg_sq");
            assertTrue(group.rule().equals(new AdamW()));
        }
    }
}
