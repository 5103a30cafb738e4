package dev.fusedstep.bench;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.cast.Casts;
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
 * {@link Casts#convert} between float32 and the half types, next to a copy-like probe that reads
 * 4 and writes 2 bytes per element (or the reverse) with one narrowing or widening instruction.
 * Casts run on the shared backend, so the variants choose its loops and threads per fork with
 * the library's system properties ({@code fusedstep.vectorization}, {@code fusedstep.threads}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = {CastsBench.VECTOR, CastsBench.NATIVE, CastsBench.XMS, CastsBench.XMX, CastsBench.PRETOUCH})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CastsBench {

    static final String VECTOR = "--add-modules=jdk.incubator.vector";
    static final String NATIVE = "--enable-native-access=ALL-UNNAMED";
    static final String XMS = "-Xms2g";
    static final String XMX = "-Xmx2g";
    static final String PRETOUCH = "-XX:+AlwaysPreTouch";
    static final String ONE_THREAD = "-Dfusedstep.threads=1";
    static final String NO_VECTOR = "-Dfusedstep.vectorization=false";

    /** Every cast reads 4 bytes and writes 2, or reads 2 and writes 4. */
    static int bytesPerElement(String cast) {
        dtypes(cast);
        return 6;
    }

    /** Source and destination dtype of a cast's name. */
    static DType[] dtypes(String cast) {
        return switch (cast) {
            case "f32_to_bf16" -> new DType[] {DType.F32, DType.BF16};
            case "f32_to_f16" -> new DType[] {DType.F32, DType.F16};
            case "bf16_to_f32" -> new DType[] {DType.BF16, DType.F32};
            default -> throw new IllegalArgumentException("cast: got \"" + cast
                    + "\", expected f32_to_bf16, f32_to_f16 or bf16_to_f32");
        };
    }

    @State(Scope.Benchmark)
    public static class Data {
        @Param({"f32_to_bf16", "f32_to_f16", "bf16_to_f32"})
        public String cast;

        @Param({"4096", "65536", "1048576", "16777216", "67108864"})
        public int size;

        Arena arena;
        Tensor src;
        Tensor dst;

        @Setup(Level.Trial)
        public void setup() {
            DType[] t = dtypes(cast);
            arena = Arena.ofShared();
            src = Tensor.of(Buffers.of(arena, size, t[0], Buffers.PARAM), t[0]);
            dst = Tensor.of(Buffers.of(arena, size, t[1], Buffers.GRAD), t[1]);
            Buffers.fill(src.segment(), t[0], 1, -1f, 1f);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    @Fork(value = 3, jvmArgsAppend = {VECTOR, NATIVE, XMS, XMX, PRETOUCH, ONE_THREAD, NO_VECTOR})
    public void scalar(Data d) {
        Casts.convert(d.src, d.dst);
    }

    @Benchmark
    @Fork(value = 3, jvmArgsAppend = {VECTOR, NATIVE, XMS, XMX, PRETOUCH, ONE_THREAD})
    public void vector1(Data d) {
        Casts.convert(d.src, d.dst);
    }

    @Benchmark
    public void vectorAll(Data d) {
        Casts.convert(d.src, d.dst);
    }

    @Benchmark
    public void probe(Data d) {
        MemorySegment s = d.src.segment(), t = d.dst.segment();
        if (d.src.dtype() == DType.F32) {
            Probes.narrow(s, t, d.size);
        } else {
            Probes.widen(s, t, d.size);
        }
    }
}
