package dev.fusedstep.bench;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.clip.GradClipping;
import java.lang.foreign.Arena;
import java.util.List;
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
 * The L2 norm pass of gradient clipping ({@link GradClipping#totalNorm}) over one gradient of
 * {@code size} elements, next to a read-only probe that sums squares in four independent
 * accumulators. Variants choose the shared backend's loops and threads per fork, as in
 * {@link CastsBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = {CastsBench.VECTOR, CastsBench.NATIVE, CastsBench.XMS, CastsBench.XMX, CastsBench.PRETOUCH})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class NormBench {

    /** The pass reads each gradient element once: 4 bytes in float32, 2 in bfloat16. */
    static int bytesPerElement(String layout) {
        return switch (layout) {
            case "f32" -> 4;
            case "bf16" -> 2;
            default -> throw new IllegalArgumentException("layout: got \"" + layout + "\", expected f32 or bf16");
        };
    }

    @State(Scope.Benchmark)
    public static class Data {
        @Param({"f32", "bf16"})
        public String layout;

        @Param({"4096", "65536", "1048576", "16777216", "67108864"})
        public int size;

        Arena arena;
        Tensor grad;
        List<Tensor> grads;

        @Setup(Level.Trial)
        public void setup() {
            bytesPerElement(layout);
            DType t = layout.equals("f32") ? DType.F32 : DType.BF16;
            arena = Arena.ofShared();
            grad = Tensor.of(Buffers.of(arena, size, t, Buffers.GRAD), t);
            Buffers.fill(grad.segment(), t, 2, -1f, 1f);
            grads = List.of(grad);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    @Fork(value = 3, jvmArgsAppend = {CastsBench.VECTOR, CastsBench.NATIVE, CastsBench.XMS, CastsBench.XMX,
            CastsBench.PRETOUCH, CastsBench.ONE_THREAD, CastsBench.NO_VECTOR})
    public double scalar(Data d) {
        return GradClipping.totalNorm(d.grads, GradClipping.L2);
    }

    @Benchmark
    @Fork(value = 3, jvmArgsAppend = {CastsBench.VECTOR, CastsBench.NATIVE, CastsBench.XMS, CastsBench.XMX,
            CastsBench.PRETOUCH, CastsBench.ONE_THREAD})
    public double vector1(Data d) {
        return GradClipping.totalNorm(d.grads, GradClipping.L2);
    }

    @Benchmark
    public double vectorAll(Data d) {
        return GradClipping.totalNorm(d.grads, GradClipping.L2);
    }

    @Benchmark
    public float probe(Data d) {
        return d.grad.dtype() == DType.F32
                ? Probes.sumOfSquares(d.grad.segment(), d.size)
                : Probes.sumOfHalves(d.grad.segment(), d.size);
    }
}
