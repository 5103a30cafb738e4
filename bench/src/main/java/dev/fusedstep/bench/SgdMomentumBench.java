package dev.fusedstep.bench;

import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.SGD;
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
 * One SGD step with momentum 0.9 (lr 1e-3, no dampening, no Nesterov, no weight decay) over
 * one parameter of {@code size} elements stored as {@code layout}, in the same variants as
 * {@link AdamWBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SgdMomentumBench {

    /** Bytes the float32 update must move per parameter: read p, g, buf; write p, buf. */
    public static final int BYTES_PER_PARAM = 20;

    /** State buffers per parameter (momentum_buffer). */
    public static final int STATES = 1;

    static final float LR = 1e-3f, MOMENTUM = 0.9f;

    static SGD rule() {
        return new SGD().withLr(LR).withMomentum(MOMENTUM);
    }

    /** Base of the library variants: one optimizer over {@link Caller.Data}'s buffers. */
    public abstract static class LibraryVariant {
        Optimizer opt;

        void open(Caller.Data d, boolean vectorized, int threads) {
            opt = Library.optimizer(rule(), d.lay, d.param, d.grad, vectorized, threads);
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

    @State(Scope.Benchmark)
    public static class VectorAll extends LibraryVariant {
        @Setup(Level.Trial)
        public void setup(Caller.Data d) {
            open(d, true, Library.allThreads());
        }
    }

    @State(Scope.Benchmark)
    public static class Plain {
        float[] p, g, buf;
        long step;

        @Setup(Level.Trial)
        public void setup(Caller.Size d) {
            p = Buffers.array(d.size, 1, -1f, 1f);
            g = Buffers.array(d.size, 2, -1f, 1f);
            buf = new float[d.size];
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
    public void vectorAll(VectorAll s) {
        s.opt.step();
    }

    @Benchmark
    public void plainLoop(Plain s) {
        PlainLoops.sgdMomentum(s.p, s.g, s.buf, ++s.step, LR, MOMENTUM);
    }

    @Benchmark
    public void probe(ProbeState s) {
        s.step.run();
    }
}
