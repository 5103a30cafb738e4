package dev.fusedstep.bench;

import dev.fusedstep.optim.Adadelta;
import dev.fusedstep.optim.Adagrad;
import dev.fusedstep.optim.Adam;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Adamax;
import dev.fusedstep.optim.NAdam;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.RAdam;
import dev.fusedstep.optim.RMSprop;
import dev.fusedstep.optim.SGD;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every optimizer configuration {@link OptimizerBench} measures, by the name its {@code rule}
 * {@code @Param} and the reports use: PyTorch's defaults, plus the variants that add a state
 * buffer (momentum, centered, amsgrad). SGD's lr is set because PyTorch has no default for it.
 * Public for the GPU benchmark ({@code bench.gpu.GpuBench}), which steps the same rules on CUDA.
 */
public final class BenchRules {
    private BenchRules() {}

    private static final Map<String, OptimizerRule> RULES = new LinkedHashMap<>();

    static {
        RULES.put("sgd", new SGD().withLr(1e-3));
        RULES.put("sgd_momentum", new SGD().withLr(1e-3).withMomentum(0.9));
        RULES.put("sgd_nesterov", new SGD().withLr(1e-3).withMomentum(0.9).withNesterov(true));
        RULES.put("adagrad", new Adagrad());
        RULES.put("rmsprop", new RMSprop());
        RULES.put("rmsprop_centered", new RMSprop().withCentered(true));
        RULES.put("adam", new Adam());
        RULES.put("adam_amsgrad", new Adam().withAmsgrad(true));
        RULES.put("adamw", new AdamW());
        RULES.put("adamw_amsgrad", new AdamW().withAmsgrad(true));  // PyTorch's CUDA peer measures this one
        RULES.put("adamax", new Adamax());
        RULES.put("nadam", new NAdam());
        RULES.put("radam", new RAdam());
        RULES.put("adadelta", new Adadelta());
    }

    /** Every rule name, in the order above (that of {@code OptimizerBench}'s {@code rule} param). */
    public static List<String> names() {
        return List.copyOf(RULES.keySet());
    }

    public static OptimizerRule of(String name) {
        OptimizerRule r = RULES.get(name);
        if (r == null) {
            throw new IllegalArgumentException("rule: got \"" + name + "\", expected one of " + RULES.keySet());
        }
        return r;
    }

    /** Bytes one step moves per parameter under {@code layout}. */
    static int bytesPerParam(String name, String layout) {
        return Layout.of(layout).bytesPerParam(of(name).stateNames().size());
    }
}
