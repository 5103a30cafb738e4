package dev.fusedstep.bench;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.init.Init;
import dev.fusedstep.init.RandomStream;
import java.lang.foreign.Arena;
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
 * The random initializers ({@link Init#normal}, {@link Init#uniform}, {@link Init#truncNormal})
 * filling one float32 tensor of {@code size} elements on one thread (the shared backend, pinned
 * per fork with {@code -Dfusedstep.threads=1} as in {@link CastsBench}), next to a probe that
 * only stores a constant over the same buffer: the write bandwidth an initializer cannot beat.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = {CastsBench.VECTOR, CastsBench.NATIVE, CastsBench.XMS, CastsBench.XMX,
        CastsBench.PRETOUCH, CastsBench.ONE_THREAD})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class InitBench {

    /** Every initializer writes each float32 element once and reads nothing. */
    static final int BYTES_PER_ELEMENT = 4;

    @State(Scope.Benchmark)
    public static class Data {
        @Param({"1048576", "16777216"})
        public int size;

        Arena arena;
        Tensor tensor;
        final RandomStream rng = new RandomStream(42, 7);

        @Setup(Level.Trial)
        public void setup() {
            arena = Arena.ofShared();
            tensor = Tensor.of(Buffers.of(arena, size, DType.F32, Buffers.PARAM), DType.F32);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public Tensor normal(Data d) {
        Init.normal(d.tensor, 0.0, 0.02, d.rng);
        return d.tensor;
    }

    @Benchmark
    public Tensor uniform(Data d) {
        Init.uniform(d.tensor, -0.1, 0.1, d.rng);
        return d.tensor;
    }

    @Benchmark
    public Tensor truncNormal(Data d) {
        Init.truncNormal(d.tensor, 0.0, 0.02, -0.04, 0.04, d.rng);
        return d.tensor;
    }

    @Benchmark
    public Tensor probe(Data d) {
        Probes.fill(d.tensor.segment(), 0.5f, d.size);
        return d.tensor;
    }
}
