package dev.fusedstep.checkpoint;

import dev.fusedstep.io.Json;
import dev.fusedstep.schedule.LrScheduler;
import dev.fusedstep.schedule.ReduceLROnPlateau;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A schedule's position as checkpoint JSON, under the names of PyTorch's scheduler state_dict
 * ({@code last_epoch}, {@code base_lrs}; ReduceLROnPlateau's {@code best},
 * {@code num_bad_epochs}, {@code cooldown_counter}). The schedule itself (its formula and
 * settings) is the program's, like the optimizer's construction; the file names its class so
 * that a resume with another one is refused.
 */
final class SchedulerJson {
    private SchedulerJson() {}

    private static final String LR_SCHEDULER = "LrScheduler";
    private static final String PLATEAU = "ReduceLROnPlateau";

    static String write(LrScheduler s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", LR_SCHEDULER);
        m.put("schedule", s.schedule().getClass().getSimpleName());
        m.put("last_epoch", s.lastStep());
        List<Object> base = new ArrayList<>();
        for (double lr : s.baseLrs()) {
            base.add(lr);
        }
        m.put("base_lrs", base);
        return Json.write(m);
    }

    static String write(ReduceLROnPlateau r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", PLATEAU);
        m.put("best", Fields.encode(r.best()));
        m.put("num_bad_epochs", r.badSteps());
        m.put("cooldown_counter", r.cooldownLeft());
        m.put("last_epoch", r.lastStep());
        return Json.write(m);
    }

    static Restore plan(Object json, LrScheduler s, String where) throws CheckpointException {
        Map<String, Object> m = typed(json, LR_SCHEDULER, where);
        String schedule = Fields.string(m.get("schedule"), where + " schedule");
        String here = s.schedule().getClass().getSimpleName();
        if (!schedule.equals(here)) {
            throw new CheckpointException(where + ": the file's schedule is " + schedule + ", expected " + here
                    + " (this scheduler's)");
        }
        long lastEpoch = Fields.integer(m.get("last_epoch"), where + " last_epoch");
        List<?> base = Fields.list(m.get("base_lrs"), where + " base_lrs");
        double[] baseLrs = new double[base.size()];
        for (int g = 0; g < baseLrs.length; g++) {
            baseLrs[g] = Fields.number(base.get(g), where + " base_lrs[" + g + "]");
        }
        try {
            s.checkResumable(lastEpoch, baseLrs);
        } catch (IllegalArgumentException ex) {
            throw new CheckpointException(where + ": " + ex.getMessage(), ex);
        }
        return () -> s.resume(lastEpoch, baseLrs);
    }

    static Restore plan(Object json, ReduceLROnPlateau r, String where) throws CheckpointException {
        Map<String, Object> m = typed(json, PLATEAU, where);
        double best = Fields.number(m.get("best"), where + " best");
        long bad = Fields.integer(m.get("num_bad_epochs"), where + " num_bad_epochs");
        long cooldown = Fields.integer(m.get("cooldown_counter"), where + " cooldown_counter");
        long last = Fields.integer(m.get("last_epoch"), where + " last_epoch");
        try {
            ReduceLROnPlateau.checkResumable(best, bad, cooldown, last);
        } catch (IllegalArgumentException ex) {
            throw new CheckpointException(where + ": " + ex.getMessage(), ex);
        }
        return () -> r.resume(best, bad, cooldown, last);
    }

    private static Map<String, Object> typed(Object json, String type, String where) throws CheckpointException {
        if (json == null) {
            throw new CheckpointException(where + " is missing, expected the state of a " + type + " (the file was saved without one)");
        }
        Map<String, Object> m = Fields.object(json, where);
        String found = Fields.string(m.get("type"), where + " type");
        if (!found.equals(type)) {
            throw new CheckpointException(where + ": the file holds a " + found + ", expected a " + type);
        }
        return m;
    }
}
