package dev.fusedstep.bench;

import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Optimizer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One AdamW step (PyTorch defaults) over one parameter of {@code size} elements stored as
 * {@code layout} ({@link Layout}): the library's scalar and Vector API loops through the public
 * API, the same-traffic probe for that layout, and (float32 only) a plain Java loop. Each fork allocates only what its variant needs; param and grad
 * are native, 64-byte aligned and staggered modulo 4096 (see {@link Caller.Data}).
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

    /** Base of the library variants: one optimizer over {@link Caller.Data}'s buffers. */
    public abstract static class LibraryVariant {
        Optimizer opt;

        void open(Caller.Data d, boolean vectorized, int threads) {
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
        public void setup(Caller.Data d) {
            open(d, false, 1);
        }
    }

    @State(Scope.Benchmark)
    public static class Vector1 extends LibraryVariant {
        @Setup(Level.Trial)
        public void setup(Caller.Data d) {
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
        public void setup(Caller.Data d) {
            opt = Library.optimizer(new AdamW().withBetas(0.9, EARLY_BETA2), d.lay, d.param, d.grad, true, 1);
        }
    }

    static final double EARLY_BETA2 = 1 - 1e-7;

    @State(Scope.Benchmark)
    public static class VectorAll extends LibraryVariant {
        @Setup(Level.Trial)
        public void setup(Caller.Data d) {
            open(d, true, Library.allThreads());
        }
    }

    @State(Scope.Benchmark)
    public static class Plain {
        float[] p, g, m, v;
        long step;

        @Setup(Level.Trial)
        public void setup(Caller.Size d) {
            p = Buffers.array(d.size, 1, -1f, 1f);
            g = Buffers.array(d.size, 2, -1f, 1f);
            m = new float[d.size];
            v = new float[d.size];
        }
    }

    /** The probe over state (and master) buffers of its own, placed where the Optimizer places its own. */
    @State(Scope.Benchmark)
    public static class ProbeState extends Caller.OwnBuffersProbe {
        @Setup(Level.Trial)
        public void setup(Caller.Data d) {
            open(d, STATES);
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
    public void probe(ProbeState s) {
        s.step.run();
    }
}
