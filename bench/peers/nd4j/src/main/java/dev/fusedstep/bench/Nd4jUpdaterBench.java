package dev.fusedstep.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.WeightDecay;
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
 * ND4J 1.0.0-M2.1, the JVM's incumbent, against the library on the same optimizer step
 * ({@link PeerRule}) over one float32 parameter vector of {@code size} elements, in one JMH run.
 *
 * <p>{@code nd4j} does what a DL4J training step does with a parameter's gradient view: the
 * updater turns the gradient into the update in place ({@code applyUpdater}), AdamW adds the
 * decoupled weight decay ({@code WeightDecay.apply}, lr applied), then {@code params.subi(update)}.
 * ND4J runs at its best here: the AVX-512 natives ({@code -Dorg.bytedeco.javacpp.platform.extension=-avx512})
 * and its default threads (every core); {@code nd4j1} limits it to one thread. Because the updater overwrites the gradient, the
 * gradient is restored before every call, outside the timed region; feeding the update back in
 * as the next gradient would fill the states with denormals and time those instead.
 *
 * <p>{@code vector1} and {@code vectorAll} are the library's Vector API step through the public
 * API on one thread and on every core, over native buffers placed as in the other benchmarks.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch",
        "-Dorg.bytedeco.javacpp.platform.extension=-avx512",
        "-Dorg.bytedeco.javacpp.maxbytes=8g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=14g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Nd4jUpdaterBench {

    @State(Scope.Benchmark)
    public static class Setting {
        @Param({"adam", "adamw", "nesterovs", "rmsprop", "adagrad"})
        public String rule;

        @Param({"4096", "65536", "1048576", "16777216", "67108864"})
        public int size;

        PeerRule peer;

        @Setup(Level.Trial)
        public void setup() {
            peer = PeerRule.of(rule);
        }
    }

    /** ND4J's parameter, gradient view, updater state and a pristine gradient to restore from. */
    @State(Scope.Benchmark)
    public static class Nd4jStep {
        INDArray params;
        INDArray grad;
        INDArray pristineGrad;
        GradientUpdater<?> updater;
        WeightDecay weightDecay;
        int iteration;

        @Setup(Level.Trial)
        public void setup(Setting s) {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
            params = Nd4j.createFromArray(Buffers.array(s.size, 1, -1f, 1f));
            pristineGrad = Nd4j.createFromArray(Buffers.array(s.size, 2, -1f, 1f));
            grad = pristineGrad.dup();
            IUpdater config = s.peer.nd4jUpdater();
            INDArray stateView = Nd4j.zeros(DataType.FLOAT, Math.max(1, config.stateSize(s.size)));
            updater = config.instantiate(stateView, true);
            weightDecay = s.peer.nd4jWeightDecay();
        }

        @Setup(Level.Invocation)
        public void restoreGradient() {
            grad.assign(pristineGrad);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            params.close();
            grad.close();
            pristineGrad.close();
        }
    }

    /**
     * ND4J on one thread (its environment's thread limits at 1), for the one-thread comparison.
     * JMH runs the superclass's trial setup first, then this one.
     */
    @State(Scope.Benchmark)
    public static class Nd4jStepOneThread extends Nd4jStep {
        @Setup(Level.Trial)
        public void oneThread() {
            Nd4j.getEnvironment().setMaxThreads(1);
            Nd4j.getEnvironment().setMaxMasterThreads(1);
        }
    }

    /** The library's buffers, placed as in the other benchmarks (see {@link Buffers}). */
    public abstract static class LibraryStep {
        Arena arena;
        dev.fusedstep.optim.Optimizer opt;

        void open(Setting s, int threads) {
            arena = Arena.ofShared();
            MemorySegment param = Buffers.floats(arena, s.size, Buffers.PARAM);
            MemorySegment grad = Buffers.floats(arena, s.size, Buffers.GRAD);
            Buffers.fill(param, 1, -1f, 1f);
            Buffers.fill(grad, 2, -1f, 1f);
            opt = Library.optimizer(s.peer.rule(), param, grad, true, threads);
        }

        @TearDown(Level.Trial)
        public void close() {
            opt.close();
            arena.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Vector1 extends LibraryStep {
        @Setup(Level.Trial)
        public void setup(Setting s) {
            open(s, 1);
        }
    }

    @State(Scope.Benchmark)
    public static class VectorAll extends LibraryStep {
        @Setup(Level.Trial)
        public void setup(Setting s) {
            open(s, Library.allThreads());
        }
    }

    @Benchmark
    public void nd4j(Setting s, Nd4jStep n) {
        dl4jStep(s, n);
    }

    @Benchmark
    public void nd4j1(Setting s, Nd4jStepOneThread n) {
        dl4jStep(s, n);
    }

    private static void dl4jStep(Setting s, Nd4jStep n) {
        n.updater.applyUpdater(n.grad, n.iteration, 0);
        if (n.weightDecay != null) {
            n.weightDecay.apply(n.params, n.grad, s.peer.lr(), n.iteration, 0);
        }
        n.params.subi(n.grad);
        n.iteration++;
    }

    @Benchmark
    public void vector1(Vector1 v) {
        v.opt.step();
    }

    @Benchmark
    public void vectorAll(VectorAll v) {
        v.opt.step();
    }
}
