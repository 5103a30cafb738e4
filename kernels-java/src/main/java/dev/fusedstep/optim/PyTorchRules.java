package dev.fusedstep.optim;

import dev.fusedstep.io.Json;
import dev.fusedstep.io.JsonException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds rules from a torch.optim class name and its constructor's keyword arguments under
 * PyTorch's names, e.g. {@code fromPyTorch("AdamW", "{\"lr\": 1e-3, \"betas\": [0.9, 0.95]}")},
 * so that configurations written for PyTorch carry over unchanged. Omitted arguments take
 * PyTorch's defaults.
 *
 * <p>Arguments that only choose PyTorch's implementation ({@code foreach}; {@code fused},
 * {@code capturable}, {@code differentiable} at their defaults) are accepted and ignored;
 * anything else fusedstep does not implement, or does not know, is refused with an
 * {@link UnsupportedRuleException} rather than silently dropped.
 */
public final class PyTorchRules {
    private PyTorchRules() {}

    /** The torch.optim class names this maps. */
    public static final List<String> CLASSES =
            List.of("SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adadelta");

    /**
     * The rule for {@code torch.optim.<className>(params, **kwargs)}.
     *
     * @throws UnsupportedRuleException for an unknown class or an unknown or unsupported argument
     * @throws IllegalArgumentException for an argument of the wrong type or out of range
     */
    public static OptimizerRule fromPyTorch(String className, Map<String, Object> kwargs) {
        if (className == null) {
            throw new UnsupportedRuleException("optimizer: got null, expected one of " + CLASSES);
        }
        Args a = new Args(className, kwargs == null ? Map.of() : kwargs);
        OptimizerRule rule = switch (className) {
            case "SGD" -> sgd(a);
            case "Adagrad" -> adagrad(a);
            case "RMSprop" -> rmsprop(a);
            case "Adam" -> adam(a);
            case "AdamW" -> adamW(a);
            case "Adamax" -> adamax(a);
            case "NAdam" -> nadam(a);
            case "RAdam" -> radam(a);
            case "Adadelta" -> adadelta(a);
            default -> throw new UnsupportedRuleException("optimizer: got \"" + className
                    + "\", expected one of " + CLASSES);
        };
        a.requireAllUsed();
        return rule;
    }

    /** As {@link #fromPyTorch(String, Map)}, with the keyword arguments as a JSON object. */
    public static OptimizerRule fromPyTorch(String className, String kwargsJson) {
        Map<String, Object> kwargs;
        try {
            kwargs = kwargsJson == null || kwargsJson.isBlank() ? Map.of() : Json.parseObject(kwargsJson);
        } catch (JsonException ex) {
            throw new IllegalArgumentException("kwargsJson: got " + abbreviate(kwargsJson)
                    + ", expected a JSON object of keyword arguments (" + ex.getMessage() + ")", ex);
        }
        return fromPyTorch(className, kwargs);
    }

    /**
     * The keyword arguments of {@code rule} under PyTorch's names, in the order of its
     * constructor: the inverse of {@link #fromPyTorch(String, Map)}, which gives back an equal
     * rule. A PyTorch optimizer's {@code param_groups} hold the same keys.
     */
    public static Map<String, Object> toPyTorch(OptimizerRule rule) {
        if (rule == null) {
            throw new IllegalArgumentException("rule: got null, expected an optimizer rule");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", rule.lr());
        switch (rule) {
            case SGD r -> {
                m.put("momentum", r.momentum());
                m.put("dampening", r.dampening());
                m.put("weight_decay", r.weightDecay());
                m.put("nesterov", r.nesterov());
                m.put("maximize", r.maximize());
            }
            case Adagrad r -> {
                m.put("lr_decay", r.lrDecay());
                m.put("weight_decay", r.weightDecay());
                m.put("initial_accumulator_value", r.initialAccumulatorValue());
                m.put("eps", r.eps());
                m.put("maximize", r.maximize());
            }
            case RMSprop r -> {
                m.put("alpha", r.alpha());
                m.put("eps", r.eps());
                m.put("weight_decay", r.weightDecay());
                m.put("momentum", r.momentum());
                m.put("centered", r.centered());
                m.put("maximize", r.maximize());
            }
            case Adam r -> {
                adamFamily(m, r.beta1(), r.beta2(), r.eps(), r.weightDecay());
                m.put("amsgrad", r.amsgrad());
                m.put("maximize", r.maximize());
            }
            case AdamW r -> {
                adamFamily(m, r.beta1(), r.beta2(), r.eps(), r.weightDecay());
                m.put("amsgrad", r.amsgrad());
                m.put("maximize", r.maximize());
            }
            case Adamax r -> {
                adamFamily(m, r.beta1(), r.beta2(), r.eps(), r.weightDecay());
                m.put("maximize", r.maximize());
            }
            case NAdam r -> {
                adamFamily(m, r.beta1(), r.beta2(), r.eps(), r.weightDecay());
                m.put("momentum_decay", r.momentumDecay());
                m.put("decoupled_weight_decay", r.decoupledWeightDecay());
                m.put("maximize", r.maximize());
            }
            case RAdam r -> {
                adamFamily(m, r.beta1(), r.beta2(), r.eps(), r.weightDecay());
                m.put("decoupled_weight_decay", r.decoupledWeightDecay());
                m.put("maximize", r.maximize());
            }
            case Adadelta r -> {
                m.put("rho", r.rho());
                m.put("eps", r.eps());
                m.put("weight_decay", r.weightDecay());
                m.put("maximize", r.maximize());
            }
        }
        return m;
    }

    private static void adamFamily(Map<String, Object> m, double beta1, double beta2, double eps, double wd) {
        m.put("betas", List.of(beta1, beta2));
        m.put("eps", eps);
        m.put("weight_decay", wd);
    }

    private static SGD sgd(Args a) {
        SGD d = new SGD();
        a.implementationOnly("foreach", "differentiable", "fused");
        return new SGD(a.num("lr", d.lr()), a.num("momentum", d.momentum()), a.num("dampening", d.dampening()),
                a.num("weight_decay", d.weightDecay()), a.bool("nesterov", d.nesterov()), a.bool("maximize", d.maximize()));
    }

    private static Adagrad adagrad(Args a) {
        Adagrad d = new Adagrad();
        a.implementationOnly("foreach", "differentiable", "fused");
        return new Adagrad(a.num("lr", d.lr()), a.num("lr_decay", d.lrDecay()), a.num("weight_decay", d.weightDecay()),
                a.num("initial_accumulator_value", d.initialAccumulatorValue()), a.num("eps", d.eps()),
                a.bool("maximize", d.maximize()));
    }

    private static RMSprop rmsprop(Args a) {
        RMSprop d = new RMSprop();
        a.implementationOnly("foreach", "capturable", "differentiable");
        return new RMSprop(a.num("lr", d.lr()), a.num("alpha", d.alpha()), a.num("eps", d.eps()),
                a.num("weight_decay", d.weightDecay()), a.num("momentum", d.momentum()), a.bool("centered", d.centered()),
                a.bool("maximize", d.maximize()));
    }

    private static OptimizerRule adam(Args a) {
        Adam d = new Adam();
        a.implementationOnly("foreach", "capturable", "differentiable", "fused");
        double[] betas = a.betas(d.beta1(), d.beta2());
        double lr = a.num("lr", d.lr());
        double eps = a.num("eps", d.eps());
        double wd = a.num("weight_decay", d.weightDecay());
        boolean amsgrad = a.bool("amsgrad", d.amsgrad());
        boolean maximize = a.bool("maximize", d.maximize());
        // Since PyTorch 2.6 AdamW is Adam(decoupled_weight_decay=True); Adam's own default weight decay (0) still applies.
        if (a.bool("decoupled_weight_decay", false)) {
            return new AdamW(lr, betas[0], betas[1], eps, wd, amsgrad, maximize);
        }
        return new Adam(lr, betas[0], betas[1], eps, wd, amsgrad, maximize);
    }

    private static AdamW adamW(Args a) {
        AdamW d = new AdamW();
        a.implementationOnly("foreach", "capturable", "differentiable", "fused");
        double[] betas = a.betas(d.beta1(), d.beta2());
        return new AdamW(a.num("lr", d.lr()), betas[0], betas[1], a.num("eps", d.eps()),
                a.num("weight_decay", d.weightDecay()), a.bool("amsgrad", d.amsgrad()), a.bool("maximize", d.maximize()));
    }

    private static Adamax adamax(Args a) {
        Adamax d = new Adamax();
        a.implementationOnly("foreach", "capturable", "differentiable");
        double[] betas = a.betas(d.beta1(), d.beta2());
        return new Adamax(a.num("lr", d.lr()), betas[0], betas[1], a.num("eps", d.eps()),
                a.num("weight_decay", d.weightDecay()), a.bool("maximize", d.maximize()));
    }

    private static NAdam nadam(Args a) {
        NAdam d = new NAdam();
        a.implementationOnly("foreach", "capturable", "differentiable");
        double[] betas = a.betas(d.beta1(), d.beta2());
        return new NAdam(a.num("lr", d.lr()), betas[0], betas[1], a.num("eps", d.eps()),
                a.num("weight_decay", d.weightDecay()), a.num("momentum_decay", d.momentumDecay()),
                a.bool("decoupled_weight_decay", d.decoupledWeightDecay()), a.bool("maximize", d.maximize()));
    }

    private static RAdam radam(Args a) {
        RAdam d = new RAdam();
        a.implementationOnly("foreach", "capturable", "differentiable");
        double[] betas = a.betas(d.beta1(), d.beta2());
        return new RAdam(a.num("lr", d.lr()), betas[0], betas[1], a.num("eps", d.eps()),
                a.num("weight_decay", d.weightDecay()), a.bool("decoupled_weight_decay", d.decoupledWeightDecay()),
                a.bool("maximize", d.maximize()));
    }

    private static Adadelta adadelta(Args a) {
        Adadelta d = new Adadelta();
        a.implementationOnly("foreach", "capturable", "differentiable");
        return new Adadelta(a.num("lr", d.lr()), a.num("rho", d.rho()), a.num("eps", d.eps()),
                a.num("weight_decay", d.weightDecay()), a.bool("maximize", d.maximize()));
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() <= 80 ? "'" + s + "'" : "'" + s.substring(0, 77) + "...'";
    }

    /** Keyword arguments being read for one class; remembers which were read so that leftovers can be refused. */
    private static final class Args {
        private final String className;
        private final Map<String, Object> kwargs;
        private final Set<String> known = new LinkedHashSet<>();
        private final Set<String> used = new HashSet<>();

        Args(String className, Map<String, Object> kwargs) {
            this.className = className;
            this.kwargs = kwargs;
        }

        double num(String name, double dflt) {
            known.add(name);
            if (!kwargs.containsKey(name)) {
                return dflt;
            }
            used.add(name);
            return number(name, kwargs.get(name));
        }

        boolean bool(String name, boolean dflt) {
            known.add(name);
            if (!kwargs.containsKey(name)) {
                return dflt;
            }
            used.add(name);
            Object v = kwargs.get(name);
            if (!(v instanceof Boolean b)) {
                throw new IllegalArgumentException(className + " " + name + ": got " + show(v) + ", expected true or false");
            }
            return b;
        }

        double[] betas(double beta1, double beta2) {
            known.add("betas");
            if (!kwargs.containsKey("betas")) {
                return new double[] {beta1, beta2};
            }
            used.add("betas");
            Object v = kwargs.get("betas");
            if (!(v instanceof List<?> l) || l.size() != 2) {
                throw new IllegalArgumentException(className + " betas: got " + show(v) + ", expected a list of two numbers");
            }
            return new double[] {number("betas[0]", l.get(0)), number("betas[1]", l.get(1))};
        }

        /**
         * Arguments that pick PyTorch's implementation, not the math: accepted at values that
         * mean "the plain single-tensor path" (foreach any; the others null or false).
         */
        void implementationOnly(String... names) {
            for (String name : names) {
                known.add(name);
                if (!kwargs.containsKey(name)) {
                    continue;
                }
                used.add(name);
                Object v = kwargs.get(name);
                boolean neutral = name.equals("foreach")
                        ? v == null || v instanceof Boolean
                        : v == null || Boolean.FALSE.equals(v);
                if (!neutral) {
                    throw new UnsupportedRuleException(className + " " + name + ": got " + show(v)
                            + ", expected " + (name.equals("foreach") ? "true, false or null" : "false or null")
                            + " (fusedstep runs its own kernels; " + name + "=" + show(v) + " is not supported)");
                }
            }
        }

        void requireAllUsed() {
            List<String> unknown = new ArrayList<>();
            for (String k : kwargs.keySet()) {
                if (!used.contains(k)) {
                    unknown.add(k);
                }
            }
            if (!unknown.isEmpty()) {
                throw new UnsupportedRuleException(className + ": unsupported keyword argument"
                        + (unknown.size() > 1 ? "s " : " ") + unknown + ", expected only " + known);
            }
        }

        private double number(String name, Object v) {
            if (v instanceof Boolean || !(v instanceof Number n)) {
                throw new IllegalArgumentException(className + " " + name + ": got " + show(v) + ", expected a number");
            }
            return n.doubleValue();
        }

        private static String show(Object v) {
            return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
        }
    }
}
