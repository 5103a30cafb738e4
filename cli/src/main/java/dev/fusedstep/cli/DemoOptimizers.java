package dev.fusedstep.cli;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runs the demo compares on the MLP, by the names {@code --optimizers} takes: every optimizer
 * of the library, two SGD variants, and AdamW in mixed precision. Each peak learning rate is a
 * usual one for its rule on a small network, not tuned per run; the schedule scales it.
 */
final class DemoOptimizers {
    private DemoOptimizers() {}

    /**
     * One run: the {@code --optimizers} name, a label for tables, the rule at its peak lr, whether
     * it trains BF16 parameters with float32 master weights and loss scaling, and a note.
     */
    record Entry(String name, String label, OptimizerRule rule, boolean bf16, String note) {}

    private static final Map<String, Entry> ALL = new LinkedHashMap<>();

    static {
        add("sgd", "SGD", new SGD().withLr(0.05), false, "");
        add("sgd-momentum", "SGD momentum", new SGD().withLr(0.01).withMomentum(0.9), false, "momentum 0.9");
        add("sgd-nesterov", "SGD nesterov", new SGD().withLr(0.01).withMomentum(0.9).withNesterov(true), false, "momentum 0.9, nesterov");
        add("adagrad", "Adagrad", new Adagrad().withLr(0.01), false, "");
        add("rmsprop", "RMSprop", new RMSprop().withLr(1e-3), false, "");
        add("adam", "Adam", new Adam().withLr(3e-3), false, "");
        add("adamw", "AdamW", new AdamW().withLr(3e-3), false, "weight_decay 0.01");
        add("adamax", "Adamax", new Adamax().withLr(6e-3), false, "");
        add("nadam", "NAdam", new NAdam().withLr(3e-3), false, "");
        add("radam", "RAdam", new RAdam().withLr(3e-3), false, "");
        add("adadelta", "Adadelta", new Adadelta(), false, "lr 1 scales an adaptive step");
        add("adamw-bf16", "AdamW BF16", new AdamW().withLr(3e-3), true, "BF16 params, f32 master, GradScaler");
    }

    private static void add(String name, String label, OptimizerRule rule, boolean bf16, String note) {
        ALL.put(name, new Entry(name, label, rule, bf16, note));
    }

    static List<Entry> all() {
        return List.copyOf(ALL.values());
    }

    static String names() {
        return String.join(", ", ALL.keySet());
    }

    /** The entries named in {@code list} (comma separated, in the given order), or an error naming the unknown one. */
    static List<Entry> select(String list) {
        List<Entry> out = new ArrayList<>();
        for (String raw : list.split(",", -1)) {
            String name = raw.trim().toLowerCase(java.util.Locale.ROOT);
            Entry e = ALL.get(name);
            if (e == null) {
                throw new IllegalArgumentException("--optimizers: got unknown optimizer '" + raw.trim() + "', expected a comma"
                        + " separated list of " + names());
            }
            if (!out.contains(e)) {
                out.add(e);
            }
        }
        return out;
    }
}
