package dev.fusedstep.bench;

import dev.fusedstep.Tensor;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
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
 * {@link StepProbe} for its state count and layout over the very buffers an optimizer of the
 * same configuration owns (its states, and master copy, as placed by the library). {@link AdamWBench} and
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

    /** The rule, over {@link Caller.Data}'s param and grad (its {@code layout} and {@code size}). */
    @State(Scope.Benchmark)
    public static class Data {
        @Param({"sgd", "sgd_momentum", "sgd_nesterov", "adagrad", "rmsprop", "rmsprop_centered", "adam",
                "adam_amsgrad", "adamw", "adamax", "nadam", "radam", "adadelta"})
        public String rule;

        OptimizerRule optimizerRule;
        Caller.Data caller;

        @Setup(Level.Trial)
        public void setup(Caller.Data c) {
            optimizerRule = BenchRules.of(rule);
            caller = c;
        }

        Optimizer optimizer(boolean vectorized, int threads) {
            return Library.optimizer(optimizerRule, caller.lay, caller.param, caller.grad, vectorized, threads);
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
     * The probe over the very buffers the step moves: an optimizer of the same configuration is
     * built (never stepped) so that the probe runs over state buffers (and master copy) allocated
     * and placed by the library itself.
     */
    @State(Scope.Benchmark)
    public static class ProbeStreams extends Variant {
        Runnable step;

        @Setup(Level.Trial)
        public void setup(Data d) {
            opt = d.optimizer(true, 1);
            Caller.Data c = d.caller;
            List<MemorySegment> states = opt.states("w").values().stream().map(Tensor::segment).toList();
            MemorySegment master = c.lay == Layout.MASTER_BF16 ? opt.masterWeights("w").segment() : null;
            step = StepProbe.of(c.lay, c.param, c.grad, master, states, c.size);
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
    public void probe(ProbeStreams p) {
        p.step.run();
    }
}
