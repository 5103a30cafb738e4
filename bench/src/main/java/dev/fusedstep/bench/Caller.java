package dev.fusedstep.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The JMH states the optimizer benchmarks ({@link AdamWBench}, {@link SgdMomentumBench},
 * {@link OptimizerBench}) share: the parameter count, the caller's param and grad in a
 * {@link Layout}, and the base of a probe over buffers of its own.
 */
public final class Caller {
    private Caller() {}

    /** The parameter count; the plain loops depend on this alone, so they run for one layout (their own: float32). */
    @State(Scope.Benchmark)
    public static class Size {
        @Param({"4096", "65536", "1048576", "16777216", "67108864"})
        public int size;
    }

    /**
     * The caller's param and grad in the benchmark's {@link Layout}: native, 64-byte aligned, at
     * {@link Buffers#PARAM} and {@link Buffers#GRAD} modulo 4096, uniform in [-1, 1) from seeds 1 and 2.
     */
    @State(Scope.Benchmark)
    public static class Data {
        @Param({"f32", "bf16", "f16", "master_bf16", "f32_bf16_states"})
        public String layout;

        Layout lay;
        int size;
        Arena arena;
        MemorySegment param;
        MemorySegment grad;

        @Setup(Level.Trial)
        public void setup(Size s) {
            lay = Layout.of(layout);
            size = s.size;
            arena = Arena.ofShared();
            param = Buffers.of(arena, size, lay.paramDtype(), Buffers.PARAM);
            grad = Buffers.of(arena, size, lay.paramDtype(), Buffers.GRAD);
            Buffers.fill(param, lay.paramDtype(), 1, -1f, 1f);
            Buffers.fill(grad, lay.paramDtype(), 2, -1f, 1f);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /**
     * A {@link StepProbe} over {@link Data}'s param and grad and state (and master) buffers of its
     * own, placed where the Optimizer places its own: {@link Buffers#STATE0}, {@link Buffers#STATE1},
     * or under master weights {@link Buffers#MASTER}, {@link Buffers#MASTER_STATE0},
     * {@link Buffers#MASTER_STATE1}. A benchmark's probe state extends this with its state count.
     */
    public abstract static class OwnBuffersProbe {
        Arena arena;
        Runnable step;

        void open(Data d, int states) {
            boolean master = d.lay == Layout.MASTER_BF16;
            long[] residues = master
                    ? new long[] {Buffers.MASTER_STATE0, Buffers.MASTER_STATE1}
                    : new long[] {Buffers.STATE0, Buffers.STATE1};
            if (states > residues.length) {
                throw new IllegalArgumentException("states: got " + states + ", expected at most " + residues.length);
            }
            arena = Arena.ofShared();
            MemorySegment copy = master ? Buffers.floats(arena, d.size, Buffers.MASTER) : null;
            List<MemorySegment> buffers = new ArrayList<>();
            for (int i = 0; i < states; i++) {
                buffers.add(Buffers.of(arena, d.size, d.lay.stateDtype(), residues[i]));
            }
            step = StepProbe.of(d.lay, d.param, d.grad, copy, buffers, d.size);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }
}
