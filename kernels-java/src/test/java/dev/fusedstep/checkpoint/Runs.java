package dev.fusedstep.checkpoint;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.cast.Casts;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.Param;
import dev.fusedstep.optim.ParamGroup;
import dev.fusedstep.optim.Precision;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A small model (three parameters in two groups) trained with deterministic gradients, and byte snapshots of a run. */
final class Runs {
    private Runs() {}

    /** A storage layout: the parameters' dtype and the groups' precision. */
    record Layout(String name, DType dtype, Precision precision) {}

    /** Every storage layout Precision offers, each with the parameter dtype it takes. */
    static final List<Layout> LAYOUTS = List.of(
            new Layout("f32", DType.F32, Precision.defaults()),
            new Layout("bf16", DType.BF16, Precision.defaults()),
            new Layout("f16", DType.F16, Precision.defaults()),
            new Layout("bf16+sr", DType.BF16, Precision.defaults().withStochasticRounding(11)),
            new Layout("bf16+master", DType.BF16, Precision.masterWeights()),
            new Layout("f16+master", DType.F16, Precision.masterWeights()),
            new Layout("bf16+master+sr", DType.BF16, Precision.masterWeights().withStochasticRounding(7)),
            new Layout("f32+bf16 states", DType.F32, Precision.states(DType.BF16)),
            new Layout("f32+f16 states", DType.F32, Precision.states(DType.F16)));

    static final long[][] SHAPES = {{33, 31}, {7}, {3, 5, 2}};
    static final String[] NAMES = {"fc.weight", "fc.bias", "head.weight"};

    /** Parameters and gradients, in a shared arena (the optimizer's worker threads read them). */
    static final class Model implements AutoCloseable {
        final Arena arena = Arena.ofShared();
        final DType dtype;
        final Tensor[] params = new Tensor[SHAPES.length];
        final Tensor[] grads = new Tensor[SHAPES.length];

        Model(DType dtype, long seed) {
            this.dtype = dtype;
            Random rnd = new Random(seed);
            for (int i = 0; i < SHAPES.length; i++) {
                params[i] = Tensor.allocate(arena, dtype, SHAPES[i]);
                grads[i] = Tensor.allocate(arena, dtype, SHAPES[i]);
                fill(params[i], rnd, 1.0);
            }
        }

        /** A model with this one's parameter bits (what a resumed run reloads from its model checkpoint). */
        Model copy() {
            Model m = new Model(dtype, 0);
            for (int i = 0; i < params.length; i++) {
                MemorySegment.copy(params[i].segment(), 0, m.params[i].segment(), 0, params[i].segment().byteSize());
            }
            return m;
        }

        /** The gradients of step {@code step}: a function of the step alone, so any two runs see the same ones. */
        void gradients(int step) {
            Random rnd = new Random(1000 + step);
            for (Tensor g : grads) {
                fill(g, rnd, 0.1 + 0.05 * (step % 3));
            }
        }

        Param[] named() {
            Param[] out = new Param[params.length];
            for (int i = 0; i < params.length; i++) {
                out[i] = Param.of(NAMES[i], params[i], grads[i]);
            }
            return out;
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    private static void fill(Tensor t, Random rnd, double scale) {
        try (Arena scratch = Arena.ofConfined()) {
            Tensor wide = Tensor.allocate(scratch, DType.F32, t.numel());
            for (long e = 0; e < t.numel(); e++) {
                wide.setFloat(e, (float) (rnd.nextGaussian() * scale));
            }
            Casts.convert(wide, Tensor.of(t.segment(), t.dtype(), t.numel()));
        }
    }

    /** Two groups: the first two parameters with {@code rule}, the last with half its lr. */
    static Optimizer build(Model m, OptimizerRule rule, Precision precision) {
        Param[] p = m.named();
        return Optimizer.builder()
                .group(rule, precision, p[0], p[1])
                .group(rule.withLr(rule.lr() * 0.5), precision, p[2])
                .build();
    }

    /** Runs steps {@code from} (inclusive) to {@code to} (exclusive). */
    static void train(Optimizer opt, Model m, int from, int to) {
        for (int s = from; s < to; s++) {
            m.gradients(s);
            opt.step();
        }
    }

    /** Every bit the run holds: parameters, states, master weights, step counts, rules. */
    static byte[] snapshot(Optimizer opt, Model m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Tensor p : m.params) {
            out.writeBytes(p.segment().toArray(ValueLayout.JAVA_BYTE));
        }
        for (ParamGroup g : opt.groups()) {
            out.writeBytes(g.rule().toString().getBytes());
            for (Param p : g.params()) {
                for (Map.Entry<String, Tensor> s : opt.states(p.name()).entrySet()) {
                    out.writeBytes(s.getKey().getBytes());
                    out.writeBytes(s.getValue().segment().toArray(ValueLayout.JAVA_BYTE));
                }
                if (g.precision().float32Master()) {
                    out.writeBytes(opt.masterWeights(p.name()).segment().toArray(ValueLayout.JAVA_BYTE));
                }
                out.writeBytes(opt.scalarState(p.name()).toString().getBytes());
            }
        }
        return out.toByteArray();
    }
}
