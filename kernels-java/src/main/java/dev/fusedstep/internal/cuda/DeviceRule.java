package dev.fusedstep.internal.cuda;

import static dev.fusedstep.internal.cuda.DeviceLayouts.FLAG_AMSGRAD;
import static dev.fusedstep.internal.cuda.DeviceLayouts.FLAG_CENTERED;
import static dev.fusedstep.internal.cuda.DeviceLayouts.FLAG_DECOUPLED;
import static dev.fusedstep.internal.cuda.DeviceLayouts.FLAG_L2;
import static dev.fusedstep.internal.cuda.DeviceLayouts.FLAG_LERP_SMALL;
import static dev.fusedstep.internal.cuda.DeviceLayouts.FLAG_MAXIMIZE;
import static dev.fusedstep.internal.cuda.DeviceLayouts.FLAG_MOMENTUM;
import static dev.fusedstep.internal.cuda.DeviceLayouts.FLAG_NESTEROV;

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

/**
 * An optimizer rule as the CUDA kernels take it: which kernel pair ({@code fs_<name>_prepare},
 * {@code fs_<name>_step}), the constants for {@code fs_group.hyper} (each kernel file documents its
 * slots) and the flags. The flags decide what the CPU kernels decide in their constructors, in the
 * same way (e.g. SGD's L2 on the double weight decay, RMSprop's lerp form on the float weight).
 *
 * @param kernel  the rule's name in kernel names, e.g. "adam"
 * @param lr      the learning rate the group starts with
 * @param hyper   {@link DeviceLayouts#HYPER_SLOTS} constants
 * @param flags   {@code DeviceLayouts.FLAG_*}
 * @param states  state buffers per parameter, in {@code rule.stateNames()} order
 */
public record DeviceRule(String kernel, double lr, double[] hyper, int flags, int states) {

    public static DeviceRule of(OptimizerRule rule) {
        return switch (rule) {
            case SGD r -> new DeviceRule("sgd", r.lr(), hyper(r.momentum(), r.dampening(), r.weightDecay()),
                    flag(r.maximize(), FLAG_MAXIMIZE) | flag(r.weightDecay() != 0, FLAG_L2)
                            | flag(r.nesterov(), FLAG_NESTEROV) | flag(r.momentum() != 0, FLAG_MOMENTUM),
                    r.momentum() != 0 ? 1 : 0);
            case Adagrad r -> new DeviceRule("adagrad", r.lr(), hyper(r.lrDecay(), r.weightDecay(), r.eps()),
                    flag(r.maximize(), FLAG_MAXIMIZE) | flag(r.weightDecay() != 0, FLAG_L2), 1);
            case RMSprop r -> new DeviceRule("rmsprop", r.lr(), hyper(r.alpha(), r.eps(), r.weightDecay(), r.momentum()),
                    flag(r.maximize(), FLAG_MAXIMIZE) | flag(r.weightDecay() != 0, FLAG_L2)
                            | flag(r.momentum() > 0, FLAG_MOMENTUM) | flag(r.centered(), FLAG_CENTERED)
                            | flag(Math.abs((float) (1 - r.alpha())) < 0.5f, FLAG_LERP_SMALL),
                    1 + (r.momentum() > 0 ? 1 : 0) + (r.centered() ? 1 : 0));
            case Adam r -> new DeviceRule("adam", r.lr(), hyper(r.beta1(), r.beta2(), r.eps(), r.weightDecay()),
                    flag(r.maximize(), FLAG_MAXIMIZE) | flag(r.amsgrad(), FLAG_AMSGRAD), r.amsgrad() ? 3 : 2);
            case AdamW r -> new DeviceRule("adam", r.lr(), hyper(r.beta1(), r.beta2(), r.eps(), r.weightDecay()),
                    flag(r.maximize(), FLAG_MAXIMIZE) | FLAG_DECOUPLED | flag(r.amsgrad(), FLAG_AMSGRAD),
                    r.amsgrad() ? 3 : 2);
            case Adamax r -> new DeviceRule("adamax", r.lr(), hyper(r.beta1(), r.beta2(), r.eps(), r.weightDecay()),
                    flag(r.maximize(), FLAG_MAXIMIZE), 2);
            case NAdam r -> new DeviceRule("nadam", r.lr(),
                    hyper(r.beta1(), r.beta2(), r.eps(), r.weightDecay(), r.momentumDecay()),
                    flag(r.maximize(), FLAG_MAXIMIZE) | flag(r.decoupledWeightDecay(), FLAG_DECOUPLED), 2);
            case RAdam r -> new DeviceRule("radam", r.lr(), hyper(r.beta1(), r.beta2(), r.eps(), r.weightDecay()),
                    flag(r.maximize(), FLAG_MAXIMIZE) | flag(r.decoupledWeightDecay(), FLAG_DECOUPLED), 2);
            case Adadelta r -> new DeviceRule("adadelta", r.lr(), hyper(r.rho(), r.eps(), r.weightDecay()),
                    flag(r.maximize(), FLAG_MAXIMIZE), 2);
        };
    }

    /** The kernel that advances the step and computes its scalars (one thread). */
    public String prepareKernel() {
        return "fs_" + kernel + "_prepare";
    }

    /** The multi-tensor update kernel for groups of float32 rows only (the lean float32 loop). */
    public String stepKernel() {
        return "fs_" + kernel + "_step";
    }

    /** The multi-tensor update kernel for groups in any storage layout (half params or states, masters). */
    public String layoutsStepKernel() {
        return "fs_" + kernel + "_step_layouts";
    }

    private static double[] hyper(double... values) {
        double[] h = new double[DeviceLayouts.HYPER_SLOTS];
        System.arraycopy(values, 0, h, 0, values.length);
        return h;
    }

    private static int flag(boolean on, int bit) {
        return on ? bit : 0;
    }
}
