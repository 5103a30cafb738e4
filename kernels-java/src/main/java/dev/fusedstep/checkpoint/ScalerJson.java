package dev.fusedstep.checkpoint;

import dev.fusedstep.amp.GradScaler;
import dev.fusedstep.io.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link GradScaler}'s state as checkpoint JSON, under the keys of PyTorch's
 * {@code GradScaler.state_dict()}. The scale is float32 and written exactly; a resume must use
 * the same growth and backoff settings (a scaler's construction), and takes scale and tracker.
 */
final class ScalerJson {
    private ScalerJson() {}

    static String write(GradScaler s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", (double) s.scale());
        m.put("growth_factor", s.growthFactor());
        m.put("backoff_factor", s.backoffFactor());
        m.put("growth_interval", (long) s.growthInterval());
        m.put("_growth_tracker", (long) s.growthTracker());
        return Json.write(m);
    }

    static Restore plan(Object json, GradScaler s, String where) throws CheckpointException {
        if (json == null) {
            throw new CheckpointException(where + " is missing, expected a GradScaler's state (the file was saved without one)");
        }
        Map<String, Object> m = Fields.object(json, where);
        double growth = Fields.number(m.get("growth_factor"), where + " growth_factor");
        double backoff = Fields.number(m.get("backoff_factor"), where + " backoff_factor");
        long interval = Fields.integer(m.get("growth_interval"), where + " growth_interval");
        if (growth != s.growthFactor() || backoff != s.backoffFactor() || interval != s.growthInterval()) {
            throw new CheckpointException(where + ": the file's scaler has growth_factor " + growth + ", backoff_factor " + backoff
                    + ", growth_interval " + interval + ", expected this scaler's " + s.growthFactor() + ", "
                    + s.backoffFactor() + ", " + s.growthInterval());
        }
        double scale = Fields.number(m.get("scale"), where + " scale");
        long tracker = Fields.integer(m.get("_growth_tracker"), where + " _growth_tracker");
        if (tracker < 0 || tracker >= interval || (float) scale != scale) {
            throw new CheckpointException(where + ": scale " + scale + " and _growth_tracker " + tracker
                    + ", expected a float32 scale and 0 <= tracker < " + interval);
        }
        try {
            // a scratch scaler checks the values with GradScaler's own rules, leaving s untouched
            new GradScaler(1, s.growthFactor(), s.backoffFactor(), s.growthInterval()).load(scale, (int) tracker);
        } catch (IllegalArgumentException ex) {
            throw new CheckpointException(where + ": " + ex.getMessage(), ex);
        }
        return () -> s.load(scale, (int) tracker);
    }
}
