package dev.fusedstep.internal.cuda;

import java.util.HashMap;
import java.util.Map;

/**
 * The parameter types of every kernel in the fatbin, one letter each as
 * {@link dev.fusedstep.bindings.KernelArgs#signature()} spells them. {@link CudaBackend#launch}
 * checks each launch against this table, since cudaLaunchKernel trusts the argument array
 * blindly; a test checks the table against the {@code extern "C"} declarations in native/.
 */
public final class KernelSignatures {
    private KernelSignatures() {}

    /**
     * Every optimizer's kernels: prepare(fs_group*, const float* found_inf); step and step_layouts(table, rows,
     * chunks, group, grad_scale, found_inf).
     */
    static final String PREPARE = "pp";
    static final String STEP = "pilppp";

    static final Map<String, String> ALL;

    static {
        Map<String, String> m = new HashMap<>();
        for (String rule : new String[] {"sgd", "adagrad", "rmsprop", "adam", "adamax", "nadam", "radam", "adadelta"}) {
            m.put("fs_" + rule + "_prepare", PREPARE);
            m.put("fs_" + rule + "_step", STEP);
            m.put("fs_" + rule + "_step_layouts", STEP);
        }
        m.put("fs_cast", "pili");
        m.put("fs_fill", "pilf");
        m.put("fs_scale", "pilp");
        m.put("fs_clamp", "pilff");
        m.put("fs_norm_partials", "pilidpp");
        m.put("fs_norm_finish", "plidpp");
        m.put("fs_clip_coefficient", "pdp");
        m.put("fs_multiply_scalars", "ppp");
        // the loss scaler (tensor/amp.cu)
        m.put("fs_amp_multiplier", "ppdpp");
        m.put("fs_amp_update_scale", "pppddi");
        // initializers: out, n, first, dtype, seed, stream, then the sampler's parameters
        m.put("fs_init_uniform", "pllillff");
        m.put("fs_init_normal", "pllillff");
        m.put("fs_init_trunc_normal", "pllilldddd");
        m.put("fs_init_constant", "plif");
        // a small MLP's element-wise parts (tensor/mlp.cu)
        m.put("fs_relu", "ppl");
        m.put("fs_relu_backward", "ppl");
        m.put("fs_mse_loss", "pplfpp");
        ALL = Map.copyOf(m);
    }

    /** Throws unless {@code signature} is {@code kernel}'s parameter list. */
    static void check(String kernel, String signature) {
        String expected = ALL.get(kernel);
        if (expected == null) {
            throw new IllegalArgumentException("kernel: got \"" + kernel + "\", expected one of " + ALL.keySet());
        }
        if (!expected.equals(signature)) {
            throw new IllegalArgumentException(kernel + ": got arguments \"" + signature + "\", expected \"" + expected
                    + "\" (p pointer, i int, l long long, f float, d double)");
        }
    }
}
