package dev.fusedstep.schedule;

import dev.fusedstep.optim.Adam;
import dev.fusedstep.optim.AdamW;
import dev.fusedstep.optim.Adamax;
import dev.fusedstep.optim.NAdam;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.ParamGroup;
import dev.fusedstep.optim.RAdam;
import dev.fusedstep.optim.RMSprop;
import dev.fusedstep.optim.SGD;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Binds an {@link LrSchedule} to an optimizer's parameter groups, as a torch lr_scheduler does:
 * each group's lr at construction is its base lr ({@code initial_lr}), construction applies
 * step 0, and every {@link #step()} (called after {@code optimizer.step()}) applies the next.
 * Because the schedule is a function of the step, {@link #LrScheduler(Optimizer, LrSchedule, long)}
 * resumes at any step without replaying the ones before.
 */
public final class LrScheduler {
    private final List<ParamGroup> groups;
    private final double[] baseLrs;
    private final LrSchedule schedule;
    private long step;

    /** Binds {@code schedule} and applies its step 0. */
    public LrScheduler(Optimizer optimizer, LrSchedule schedule) {
        this(optimizer, schedule, 0);
    }

    /** Binds {@code schedule} at step {@code step} (resuming), taking the groups' current lrs as base lrs. */
    public LrScheduler(Optimizer optimizer, LrSchedule schedule, long step) {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer: got null, expected an Optimizer");
        }
        if (schedule == null) {
            throw new IllegalArgumentException("schedule: got null, expected an LrSchedule");
        }
        LrSchedule.requireStep(step);
        this.groups = optimizer.groups();
        this.baseLrs = groups.stream().mapToDouble(ParamGroup::lr).toArray();
        this.schedule = schedule;
        this.step = step;
        if (schedule.momentum(step).isPresent()) {
            for (ParamGroup g : groups) {
                withMomentum(g.rule(), schedule.momentum(step).getAsDouble()); // fails early if a rule has no momentum
            }
        }
        apply();
    }

    /** Advances one step and applies the new lr (and momentum, for schedules that cycle it). */
    public void step() {
        step++;
        apply();
    }

    /** PyTorch's {@code last_epoch}: steps taken. */
    public long lastStep() {
        return step;
    }

    /** The lr now in force for group {@code group}. */
    public double lr(int group) {
        return groups.get(group).lr();
    }

    /** The base (initial) lr of group {@code group}. */
    public double baseLr(int group) {
        return baseLrs[group];
    }

    /** A copy of every group's base lr, in group order. */
    public double[] baseLrs() {
        return baseLrs.clone();
    }

    /** The schedule this scheduler applies. */
    public LrSchedule schedule() {
        return schedule;
    }

    /**
     * Checks that {@code lastStep} and {@code baseLrs} (one per group, as {@link #baseLr} gives
     * them) could be resumed by {@link #resume}; throws naming the first that could not.
     */
    public void checkResumable(long lastStep, double[] baseLrs) {
        LrSchedule.requireStep(lastStep);
        if (baseLrs == null || baseLrs.length != this.baseLrs.length) {
            throw new IllegalArgumentException("baseLrs: got " + (baseLrs == null ? "null" : baseLrs.length + " values")
                    + ", expected " + this.baseLrs.length + " (one per group)");
        }
        for (int g = 0; g < baseLrs.length; g++) {
            if (!(baseLrs[g] >= 0) || Double.isInfinite(baseLrs[g])) {
                throw new IllegalArgumentException("baseLrs[" + g + "]: got " + baseLrs[g] + ", expected a finite lr >= 0");
            }
        }
    }

    /**
     * Resumes at {@code lastStep} with the saved base lrs (a checkpoint's), and applies that
     * step's lr, as PyTorch's {@code load_state_dict} followed by the next {@code step()} would see it.
     */
    public void resume(long lastStep, double[] baseLrs) {
        checkResumable(lastStep, baseLrs);
        System.arraycopy(baseLrs, 0, this.baseLrs, 0, baseLrs.length);
        this.step = lastStep;
        apply();
    }

    private void apply() {
        OptionalDouble momentum = schedule.momentum(step);
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup group = groups.get(g);
            OptimizerRule rule = group.rule().withLr(schedule.lr(step, baseLrs[g]));
            if (momentum.isPresent()) {
                rule = withMomentum(rule, momentum.getAsDouble());
            }
            group.setRule(rule);
        }
    }

    /** The rule with its momentum (SGD, RMSprop) or beta1 (Adam family) replaced, as OneCycleLR's cycle_momentum does. */
    static OptimizerRule withMomentum(OptimizerRule rule, double m) {
        return switch (rule) {
            case SGD r when r.momentum() > 0 -> r.withMomentum(m);
            case RMSprop r when r.momentum() > 0 -> r.withMomentum(m);
            case Adam r -> r.withBetas(m, r.beta2());
            case AdamW r -> r.withBetas(m, r.beta2());
            case Adamax r -> r.withBetas(m, r.beta2());
            case NAdam r -> r.withBetas(m, r.beta2());
            case RAdam r -> r.withBetas(m, r.beta2());
            default -> throw new IllegalArgumentException("rule: got " + rule + ", expected one with momentum > 0 or betas"
                    + " for a schedule that cycles momentum (pass cycle_momentum=false)");
        };
    }
}
