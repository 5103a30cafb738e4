package dev.fusedstep.bench;

import dev.fusedstep.DType;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One AdamW step (PyTorch defaults) over one parameter of {@code size} elements stored as
 * {@code layout} ({@link Layout}): the library's scalar and Vector API loops through the public
 * API, the same-traffic probe for that layout, and (float32 only) a plain Java loop. Each fork allocates only what its variant needs; param and grad
 * are native, 64-byte aligned and staggered modulo 4096 (see {@link Buffers}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AdamWBench {

    /** Bytes the float32 update must move per parameter: read p, g, m, v; write p, m, v. */
    public static final int BYTES_PER_PARAM = 28;

    /** State buffers per parameter (exp_avg, exp_avg_sq): {@link Layout#bytesPerParam} counts the rest. */
    public static final int STATES = 2;

    /** The parameter count; the plain loop depends on this alone, so it runs for one layout (its own: float32). */
    @State(Scope.Benchmark)
    public static class Size {
        @Param({"4096", "65536", "1048576", "16777216", "67108864"})
        public int size;
    }

    /** The caller's param and grad in the benchmark's {@link Layout}. */
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

    /** Base of the library variants: one optimizer over {@link Data}'s buffers. */
    public abstract static class LibraryVariant {
        Optimizer opt;

        void open(Data d, boolean vectorized, int threads) {
            opt = Library.optimizer(new AdamW(), d.lay, d.param, d.grad, vectorized, threads);
        }

        @TearDown(Level.Trial)
        public void close() {
            opt.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Scalar extends LibraryVariant {
        @Setup(Level.Trial)
        public void setup(Data d) {
            open(d, false, 1);
        }
    }

    @State(Scope.Benchmark)
    public static class Vector1 extends LibraryVariant {
        @Setup(Level.Trial)
        public void setup(Data d) {
            open(d, true, 1);
        }
    }

    /**
     * The vector loop with the second-moment bias correction kept below 1 for the whole run
     * (beta2 = 1 - 1e-7), so every step takes the path of a real run's first ~16.6K steps at
     * beta2 = 0.999: sqrt(v) / sqrt(bc2) costs a division. At the in-cache sizes
     * {@code vector1} is past that point after its first warm-up iteration and skips it.
     */
    @State(Scope.Benchmark)
    public static class Vector1Early extends LibraryVariant {
        @Setup(Level.Trial)
        public void setup(Data d) {
            opt = Library.optimizer(new AdamW().withBetas(0.9, EARLY_BETA2), d.lay, d.param, d.grad, true, 1);
        }
    }

    static final double EARLY_BETA2 = 1 - 1e-7;

    @State(Scope.Benchmark)
    public static class VectorAll extends LibraryVariant {
        @Setup(Level.Trial)
        public void setup(Data d) {
            open(d, true, Library.allThreads());
        }
    }

    @State(Scope.Benchmark)
    public static class Plain {
        float[] p, g, m, v;
        long step;

        @Setup(Level.Trial)
        public void setup(Size d) {
            p = Buffers.array(d.size, 1, -1f, 1f);
            g = Buffers.array(d.size, 2, -1f, 1f);
            m = new float[d.size];
            v = new float[d.size];
        }
    }

    /** The probe's own state (and master) buffers, placed where the Optimizer places its own. */
    @State(Scope.Benchmark)
    public static class ProbeState {
        Arena arena;
        MemorySegment master;
        MemorySegment m;
        MemorySegment v;

        @Setup(Level.Trial)
        public void setup(Data d) {
            arena = Arena.ofShared();
            switch (d.lay) {
                case F32 -> {
                    m = Buffers.floats(arena, d.size, Buffers.STATE0);
                    v = Buffers.floats(arena, d.size, Buffers.STATE1);
                }
                case BF16, F16, F32_BF16_STATES -> {
                    m = Buffers.of(arena, d.size, DType.BF16, Buffers.STATE0);
                    v = Buffers.of(arena, d.size, DType.BF16, Buffers.STATE1);
                }
                case MASTER_BF16 -> {
                    master = Buffers.floats(arena, d.size, Buffers.MASTER);
                    m = Buffers.floats(arena, d.size, Buffers.MASTER_STATE0);
                    v = Buffers.floats(arena, d.size, Buffers.MASTER_STATE1);
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public void scalar(Scalar s) {
        s.opt.step();
    }

    @Benchmark
    public void vector1(Vector1 s) {
        s.opt.step();
    }

    @Benchmark
    public void vector1Early(Vector1Early s) {
        s.opt.step();
    }

    @Benchmark
    public void vectorAll(VectorAll s) {
        s.opt.step();
    }

    @Benchmark
    public void plainLoop(Plain s) {
        PlainLoops.adamw(s.p, s.g, s.m, s.v, ++s.step, 1e-3, 0.9, 0.999, 1e-8, 1e-2);
    }

    @Benchmark
    public void probe(Data d, ProbeState s) {
        switch (d.lay) {
            case F32 -> Probes.adamw(d.param, d.grad, s.m, s.v, d.size);
            case BF16, F16 -> Probes.adamwHalf(d.param, d.grad, s.m, s.v, d.size);
            case MASTER_BF16 -> Probes.adamwMaster(d.param, d.grad, s.master, s.m, s.v, d.size);
            case F32_BF16_STATES -> Probes.adamwHalfStates(d.param, d.grad, s.m, s.v, d.size);
        }
    }
}
