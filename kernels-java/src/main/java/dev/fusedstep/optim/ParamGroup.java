package dev.fusedstep.optim;

import java.util.List;
import java.util.function.Consumer;

/**
 * Parameters that share one rule, as in a PyTorch param group (e.g. no weight decay for biases).
 * The rule can be replaced between steps (a schedule changing lr) by one of the same optimizer
 * with the same state buffers.
 */
public final class ParamGroup {
    private final List<Param> params;
    private final Precision precision;
    private volatile OptimizerRule rule;
    /** Checks and adopts a new rule in the optimizer's engine; throws (changing nothing) when it cannot. */
    private final Consumer<OptimizerRule> beforeRuleChange;

    ParamGroup(OptimizerRule rule, Precision precision, List<Param> params, Consumer<OptimizerRule> beforeRuleChange) {
        this.rule = rule;
        this.precision = precision;
        this.params = List.copyOf(params);
        this.beforeRuleChange = beforeRuleChange;
    }

    public OptimizerRule rule() {
        return rule;
    }

    public List<Param> params() {
        return params;
    }

    /** How the group stores its numbers (fixed when the optimizer is built). */
    public Precision precision() {
        return precision;
    }

    /** Replaces the rule for the following steps; it must be the same optimizer with the same state names. */
    public void setRule(OptimizerRule newRule) {
        if (newRule == null) {
            throw new IllegalArgumentException("rule: got null, expected a " + rule.torchName() + " rule");
        }
        if (newRule.getClass() != rule.getClass() || !newRule.stateNames().equals(rule.stateNames())) {
            throw new IllegalArgumentException("rule: got " + newRule.torchName() + " with state " + newRule.stateNames()
                    + ", expected " + rule.torchName() + " with state " + rule.stateNames());
        }
        beforeRuleChange.accept(newRule);
        this.rule = newRule;
    }

    /** The group's learning rate. */
    public double lr() {
        return rule.lr();
    }

    /** Sets the learning rate for the following steps (what a schedule does). */
    public void setLr(double lr) {
        setRule(rule.withLr(lr));
    }
}
