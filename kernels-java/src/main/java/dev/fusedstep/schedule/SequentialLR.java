package dev.fusedstep.schedule;

import java.util.Arrays;
import java.util.List;

/**
 * torch SequentialLR: schedule {@code i} runs from milestone {@code i-1} on, restarted at its own
 * step 0 (e.g. a linear warm-up, then a cosine decay from the base lr).
 */
public record SequentialLR(List<LrSchedule> schedules, long[] milestones) implements LrSchedule {
    public SequentialLR {
        if (schedules == null || schedules.isEmpty()) {
            throw new IllegalArgumentException("schedulers: got none, expected at least one schedule");
        }
        schedules = List.copyOf(schedules);
        if (milestones == null || milestones.length != schedules.size() - 1) {
            throw new IllegalArgumentException("milestones: got " + (milestones == null ? "null" : Arrays.toString(milestones))
                    + ", expected " + (schedules.size() - 1) + " steps (one fewer than the schedules)");
        }
        milestones = milestones.clone();
        for (int i = 0; i < milestones.length; i++) {
            if (milestones[i] < 0 || (i > 0 && milestones[i] < milestones[i - 1])) {
                throw new IllegalArgumentException("milestones: got " + Arrays.toString(milestones)
                        + ", expected non-negative steps in increasing order");
            }
        }
    }

    @Override
    public long[] milestones() {
        return milestones.clone();
    }

    @Override
    public double lr(long step, double baseLr) {
        LrSchedule.requireStep(step);
        int i = MultiStepLR.passed(milestones, step);
        return schedules.get(i).lr(i == 0 ? step : step - milestones[i - 1], baseLr);
    }

    @Override
    public java.util.OptionalDouble momentum(long step) {
        LrSchedule.requireStep(step);
        int i = MultiStepLR.passed(milestones, step);
        return schedules.get(i).momentum(i == 0 ? step : step - milestones[i - 1]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequentialLR s && schedules.equals(s.schedules) && Arrays.equals(milestones, s.milestones);
    }

    @Override
    public int hashCode() {
        return schedules.hashCode() * 31 + Arrays.hashCode(milestones);
    }

    @Override
    public String toString() {
        return "SequentialLR[schedules=" + schedules + ", milestones=" + Arrays.toString(milestones) + "]";
    }
}
