package dev.fusedstep.checkpoint;

import dev.fusedstep.DType;
import dev.fusedstep.optim.Precision;
import java.util.LinkedHashMap;
import java.util.Map;

/** A group's {@link Precision} as checkpoint JSON; the stochastic-rounding seed is the one random stream a run keys by. */
final class PrecisionJson {
    private PrecisionJson() {}

    static Map<String, Object> write(Precision p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("master_weights", p.float32Master());
        m.put("state_dtype", p.stateDtype() == null ? null : p.stateDtype().name());
        m.put("stochastic_rounding", p.stochasticRounding());
        m.put("seed", p.seed());
        return m;
    }

    static Precision read(Object v, String where) throws CheckpointException {
        Map<String, Object> m = Fields.object(v, where);
        Object dtype = m.get("state_dtype");
        DType stateDtype = null;
        if (dtype != null) {
            String name = Fields.string(dtype, where + " state_dtype");
            try {
                stateDtype = DType.fromSafetensorsName(name);
            } catch (IllegalArgumentException ex) {
                throw new CheckpointException(where + " state_dtype: " + ex.getMessage());
            }
        }
        try {
            return new Precision(Fields.bool(m.get("master_weights"), where + " master_weights"), stateDtype,
                    Fields.bool(m.get("stochastic_rounding"), where + " stochastic_rounding"),
                    Fields.integer(m.get("seed"), where + " seed"));
        } catch (IllegalArgumentException ex) {
            throw new CheckpointException(where + ": " + ex.getMessage());
        }
    }

    /** What differs between the file's precision and the optimizer's, e.g. {@code "seed 7 in the file, 8 here"}; null if nothing. */
    static String difference(Precision file, Precision here) {
        if (file.float32Master() != here.float32Master()) {
            return "master_weights " + file.float32Master() + " in the file, " + here.float32Master() + " here";
        }
        if (file.stateDtype() != here.stateDtype()) {
            return "state_dtype " + file.stateDtype() + " in the file, " + here.stateDtype() + " here";
        }
        if (file.stochasticRounding() != here.stochasticRounding()) {
            return "stochastic_rounding " + file.stochasticRounding() + " in the file, " + here.stochasticRounding() + " here";
        }
        if (file.seed() != here.seed()) {
            return "stochastic-rounding seed " + file.seed() + " in the file, " + here.seed() + " here";
        }
        return null;
    }
}
