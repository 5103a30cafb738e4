package dev.fusedstep.amp;

import dev.fusedstep.DType;
import dev.fusedstep.Tensor;
import dev.fusedstep.cast.Casts;
import dev.fusedstep.optim.Adadelta;
import dev.fusedstep.optim.Adagrad;
import dev.fusedstep.optim.Adam;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Adamax;
import dev.fusedstep.optim.NAdam;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.RAdam;
import dev.fusedstep.optim.RMSprop;
import dev.fusedstep.optim.SGD;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Shared helpers for the mixed-precision tests: rules, tensors from floats, byte snapshots. */
final class AmpFixtures {
    private AmpFixtures() {}

    /** One configuration per optimizer (the interesting update paths), every one of the nine. */
    static List<OptimizerRule> everyOptimizer() {
        return List.of(
                new SGD(0.05, 0.9, 0.1, 1e-3, false, false),
                new SGD(0.05, 0.9, 0, 1e-3, true, true),
                new Adagrad(0.1, 0.01, 0.01, 0.1, 1e-10, false),
                new RMSprop(0.01, 0.9, 1e-8, 1e-3, 0.9, true, true),
                new Adam().withWeightDecay(1e-2),
                new Adam().withAmsgrad(true).withMaximize(true),
                new AdamW(),
                new AdamW().withAmsgrad(true),
                new Adamax().withWeightDecay(1e-2),
                new NAdam().withWeightDecay(1e-2),
                new RAdam().withWeightDecay(1e-2),
                new Adadelta().withWeightDecay(1e-2));
    }


    static String describe(OptimizerRule r) {
        return r.toString();
    }

    /** Gaussian floats, scaled. */
    static float[] gaussian(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    /** A new tensor of {@code dtype} holding {@code values} rounded to nearest-even. */
    static Tensor tensor(Arena arena, DType dtype, float[] values) {
        Tensor out = Tensor.allocate(arena, dtype, values.length);
        Tensor wide = Tensor.allocate(arena, DType.F32, values.length);
        wide.copyFrom(values);
        Casts.convert(wide, out);
        return out;
    }

    /** The values of any tensor as float32 (exact for the half formats). */
    static float[] floats(Tensor t) {
        if (t.dtype() == DType.F32) {
            return t.toFloatArray();
        }
        try (Arena scratch = Arena.ofConfined()) {
            return Casts.to(t, DType.F32, scratch).toFloatArray();
        }
    }

    /** {@code values} rounded to {@code dtype} (nearest-even) and widened back. */
    static float[] rounded(DType dtype, float[] values) {
        try (Arena scratch = Arena.ofConfined()) {
            return floats(tensor(scratch, dtype, values));
        }
    }

    /** Writes {@code values} rounded to nearest-even into {@code dst}. */
    static void fill(Tensor dst, float[] values) {
        try (Arena scratch = Arena.ofConfined()) {
            Tensor wide = Tensor.allocate(scratch, DType.F32, values.length);
            wide.copyFrom(values);
            Casts.convert(wide, dst);
        }
    }

    static byte[] bytes(Tensor t) {
        return t.segment().toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * Every byte an optimizer owns or is handed, by name: params, grads, states, master weights,
     * and the scalar state (step, mu_product) of each parameter.
     */
    static Map<String, Object> snapshot(Optimizer opt, List<String> paramNames, List<Tensor> params) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Tensor> grads = opt.gradients();
        for (int i = 0; i < paramNames.size(); i++) {
            String name = paramNames.get(i);
            out.put(name + ".param", bytes(params.get(i)));
            out.put(name + ".grad", bytes(grads.get(i)));
            for (Map.Entry<String, Tensor> e : opt.states(name).entrySet()) {
                out.put(name + "." + e.getKey(), bytes(e.getValue()));
            }
            try {
                out.put(name + ".master", bytes(opt.masterWeights(name)));
            } catch (IllegalArgumentException noMaster) {
                // a parameter without master weights
            }
            out.put(name + ".step", opt.scalarState(name).step());
            out.put(name + ".mu_product", opt.scalarState(name).muProduct());
        }
        return out;
    }

    /** Names of the entries whose contents differ (byte arrays compared by content). */
    static List<String> differences(Map<String, Object> before, Map<String, Object> after) {
        List<String> out = new ArrayList<>();
        for (String k : before.keySet()) {
            Object a = before.get(k), b = after.get(k);
            boolean same = a instanceof byte[] x && b instanceof byte[] y ? java.util.Arrays.equals(x, y) : a.equals(b);
            if (!same) {
                out.add(k);
            }
        }
        return out;
    }
}
