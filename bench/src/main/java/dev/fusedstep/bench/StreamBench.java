package dev.fusedstep.bench;

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
 * STREAM's copy ({@code c = a}) and triad ({@code a = b + s*c}) with the Vector API over
 * staggered native buffers, at the optimizer benchmarks' sizes: context for their GB/s.
 * STREAM counts 8 and 12 bytes per element, not the write-allocate read of the output line,
 * so these figures understate the real traffic of out-of-place kernels by up to 1.5x.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StreamBench {

    public static final int COPY_BYTES_PER_ELEMENT = 8;
    public static final int TRIAD_BYTES_PER_ELEMENT = 12;

    @State(Scope.Benchmark)
    public static class Data {
        @Param({"4096", "65536", "1048576", "16777216", "67108864"})
        public int size;

        Arena arena;
        MemorySegment a, b, c;

        @Setup(Level.Trial)
        public void setup() {
            arena = Arena.ofShared();
            a = Buffers.floats(arena, size, 0);
            b = Buffers.floats(arena, size, 1344);
            c = Buffers.floats(arena, size, 2688);
            Buffers.fill(a, 1, -1f, 1f);
            Buffers.fill(b, 2, -1f, 1f);
            Buffers.fill(c, 3, -1f, 1f);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public void copy(Data d) {
        Probes.copy(d.a, d.c, d.size);
    }

    @Benchmark
    public void triad(Data d) {
        Probes.triad(d.a, d.b, d.c, 0.5f, d.size);
    }
}
