package dev.fusedstep.bench;

import dev.fusedstep.DType;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.SGD;
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

    @State(Scope.Benchmark)
    public static class VectorAll extends LibraryVariant {
        @Setup(Level.Trial)
        public void setup(Data d) {
            open(d, true, Library.allThreads());
        }
    }

    @State(Scope.Benchmark)
    public static class Plain {
        float[] p, g, buf;
        long step;

        @Setup(Level.Trial)
        public void setup(Size d) {
            p = Buffers.array(d.size, 1, -1f, 1f);
            g = Buffers.array(d.size, 2, -1f, 1f);
            buf = new float[d.size];
        }
    }

    /** The probe's own momentum (and master) buffers, placed where the Optimizer places its own. */
    @State(Scope.Benchmark)
    public static class ProbeState {
        Arena arena;
        MemorySegment master;
        MemorySegment buf;

        @Setup(Level.Trial)
        public void setup(Data d) {
            arena = Arena.ofShared();
            switch (d.lay) {
                case F32 -> buf = Buffers.floats(arena, d.size, Buffers.STATE0);
                case BF16, F16, F32_BF16_STATES -> buf = Buffers.of(arena, d.size, DType.BF16, Buffers.STATE0);
                case MASTER_BF16 -> {
                    master = Buffers.floats(arena, d.size, Buffers.MASTER);
                    buf = Buffers.floats(arena, d.size, Buffers.MASTER_STATE0);
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
    public void vectorAll(VectorAll s) {
        s.opt.step();
    }

    @Benchmark
    public void plainLoop(Plain s) {
        PlainLoops.sgdMomentum(s.p, s.g, s.buf, ++s.step, LR, MOMENTUM);
    }

    @Benchmark
    public void probe(Data d, ProbeState s) {
        switch (d.lay) {
            case F32 -> Probes.sgdMomentum(d.param, d.grad, s.buf, d.size);
            case BF16, F16 -> Probes.sgdHalf(d.param, d.grad, s.buf, d.size);
            case MASTER_BF16 -> Probes.sgdMaster(d.param, d.grad, s.master, s.buf, d.size);
            case F32_BF16_STATES -> Probes.sgdHalfStates(d.param, d.grad, s.buf, d.size);
        }
    }
}
