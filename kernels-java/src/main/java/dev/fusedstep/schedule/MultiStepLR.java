package dev.fusedstep.schedule;

import java.util.Arrays;

/** torch MultiStepLR: {@code lr = base * gamma^(number of milestones <= step)}. */
public record MultiStepLR(long[] milestones, double gamma) implements LrSchedule {
    public MultiStepLR {
        if (milestones == null) {
            throw new IllegalArgumentException("milestones: got null, expected increasing steps");
        }
        milestones = milestones.clone();
        for (int i = 0; i < milestones.length; i++) {
            if (milestones[i] < 0 || (i > 0 && milestones[i] < milestones[i - 1])) {
                throw new IllegalArgumentException("milestones: got " + Arrays.toString(milestones)
                        + ", expected non-negative steps in increasing order");
            }
        }
        Checks.nonNegative("gamma", gamma);
    }

    @Override
    public long[] milestones() {
        return milestones.clone();
    }

    @Override
    public double lr(long step, double baseLr) {
        LrSchedule.requireStep(step);
        return baseLr * Math.pow(gamma, passed(milestones, step));
    }

    /** How many milestones are {@code <= step} (Python's bisect_right). */
    static int passed(long[] milestones, long step) {
        int n = 0;
        while (n < milestones.length && milestones[n] <= step) {
            n++;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MultiStepLR m && Arrays.equals(milestones, m.milestones) && gamma == m.gamma;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(milestones) * 31 + Double.hashCode(gamma);
    }

    @Override
    public String toString() {
        return "MultiStepLR[milestones=" + Arrays.toString(milestones) + ", gamma=" + gamma + "]";
    }
}
