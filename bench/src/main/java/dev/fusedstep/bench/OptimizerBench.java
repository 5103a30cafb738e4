package dev.fusedstep.bench;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * Every optimizer ({@link BenchRules}) in every storage layout ({@link Layout}) at every size:
 * the scalar loop, the Vector API loop on one thread and on every core, and the
 * {@link BlockedProbe} over the very buffers an optimizer of the same configuration owns (its
 * states, and master copy, as placed by the library). {@link AdamWBench} and
 * {@link SgdMomentumBench} go deeper on their two optimizers (plain Java loop, fused probes).
 *
 * <p>The whole grid is 13 rules x 5 layouts x 5 sizes x 4 variants; pick with
 * {@code -p rule=... -p layout=... -p size=...} (see bench/README.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OptimizerBench {

    @State(Scope.Benchmark)
    public static class Data {
        @Param({"sgd", "sgd_momentum", "sgd_nesterov", "adagrad", "rmsprop", "rmsprop_centered", "adam",
                "adam_amsgrad", "adamw", "adamax", "nadam", "radam", "adadelta"})
        public String rule;

        @Param({"f32", "bf16", "f16", "master_bf16", "f32_bf16_states"})
        public String layout;

        @Param({"4096", "65536", "1048576", "16777216", "67108864"})
        public int size;

        OptimizerRule optimizerRule;
        Layout lay;
        Arena arena;
        MemorySegment param;
        MemorySegment grad;

        @Setup(Level.Trial)
        public void setup() {
            optimizerRule = BenchRules.of(rule);
            lay = Layout.of(layout);
            arena = Arena.ofShared();
            param = Buffers.of(arena, size, lay.paramDtype(), Buffers.PARAM);
            grad = Buffers.of(arena, size, lay.paramDtype(), Buffers.GRAD);
            Buffers.fill(param, lay.paramDtype(), 1, -1f, 1f);
            Buffers.fill(grad, lay.paramDtype(), 2, -1f, 1f);
        }

        Optimizer optimizer(boolean vectorized, int threads) {
            return Library.optimizer(optimizerRule, lay, param, grad, vectorized, threads);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    public abstract static class Variant {
        Optimizer opt;

        @TearDown(Level.Trial)
        public void close() {
            opt.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Scalar extends Variant {
        @Setup(Level.Trial)
        public void setup(Data d) {
            opt = d.optimizer(false, 1);
        }
    }

    @State(Scope.Benchmark)
    public static class Vector1 extends Variant {
        @Setup(Level.Trial)
        public void setup(Data d) {
            opt = d.optimizer(true, 1);
        }
    }

    @State(Scope.Benchmark)
    public static class VectorAll extends Variant {
        @Setup(Level.Trial)
        public void setup(Data d) {
            opt = d.optimizer(true, Library.allThreads());
        }
    }

    /**
     * The probe's streams: an optimizer of the same configuration is built (never stepped) so
     * that the probe runs over state buffers allocated and placed exactly as the library's own.
     */
    @State(Scope.Benchmark)
    public static class ProbeStreams extends Variant {
        MemorySegment[] updated;
        DType[] types;
        MemorySegment halfParam;

        @Setup(Level.Trial)
        public void setup(Data d) {
            opt = d.optimizer(true, 1);
            List<Tensor> states = List.copyOf(opt.states("w").values());
            Tensor master = d.lay == Layout.MASTER_BF16 ? opt.masterWeights("w") : null;
            Tensor first = master != null ? master : Tensor.of(d.param, d.lay.paramDtype());
            halfParam = master != null ? d.param : null;
            updated = new MemorySegment[1 + states.size()];
            types = new DType[updated.length];
            updated[0] = first.segment();
            types[0] = first.dtype();
            for (int i = 0; i < states.size(); i++) {
                updated[i + 1] = states.get(i).segment();
                types[i + 1] = states.get(i).dtype();
            }
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
    public float probe(Data d, ProbeStreams p) {
        return BlockedProbe.step(d.grad, d.lay.paramDtype(), p.updated, p.types, p.halfParam, d.size);
    }
}
