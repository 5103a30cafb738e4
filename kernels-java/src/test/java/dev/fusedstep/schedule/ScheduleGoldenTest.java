package dev.fusedstep.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fusedstep.io.Json;
import dev.fusedstep.io.SafeTensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every schedule against PyTorch 2.11's learning rates: relative error at most 1e-12 at every step. */
class ScheduleGoldenTest {

    static Path file() throws Exception {
        return Path.of(ScheduleGoldenTest.class.getResource("/golden/schedules.safetensors").toURI());
    }

    static Stream<String> names() throws Exception {
        try (SafeTensors st = SafeTensors.open(file())) {
            return st.names().stream().toList().stream();
        }
    }

    /** The schedule PyTorch ran, from the arguments recorded in the file's metadata. */
    static LrSchedule schedule(String name, Map<String, Object> a, long steps) {
        return switch (name) {
            case "step" -> new StepLR(num(a, "step_size").longValue(), num(a, "gamma").doubleValue());
            case "multistep" -> new MultiStepLR(longs(a.get("milestones")), num(a, "gamma").doubleValue());
            case "exponential" -> new ExponentialLR(num(a, "gamma").doubleValue());
            case "cosine" -> new CosineAnnealingLR(num(a, "T_max").longValue(), num(a, "eta_min").doubleValue());
            case "cosine_warm_restarts" -> new CosineAnnealingWarmRestarts(num(a, "T_0").longValue(),
                    num(a, "T_mult").longValue(), num(a, "eta_min").doubleValue());
            case "linear" -> new LinearLR(num(a, "start_factor").doubleValue(), num(a, "end_factor").doubleValue(),
                    num(a, "total_iters").longValue());
            case "constant" -> new ConstantLR(num(a, "factor").doubleValue(), num(a, "total_iters").longValue());
            case "polynomial" -> new PolynomialLR(num(a, "total_iters").longValue(), num(a, "power").doubleValue());
            case "onecycle" -> new OneCycleLR(num(a, "max_lr").doubleValue(), num(a, "total_steps").longValue());
            // README: SequentialLR(LinearLR(start_factor=0.01, total_iters=10), CosineAnnealingLR(T_max=S-10)) at step 10
            case "warmup_cosine" -> new SequentialLR(
                    List.of(new LinearLR(0.01, 1.0, 10), new CosineAnnealingLR(steps - 10)), longs(a.get("milestones")));
            default -> throw new IllegalArgumentException("schedule: got \"" + name + "\", expected a known golden case");
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void matchesPyTorch(String name) throws Exception {
        try (SafeTensors st = SafeTensors.open(file())) {
            Map<String, Object> args = Json.parseObject(st.metadata().get(name));
            double[] expected = st.toDoubleArray(name);
            double base = num(args, "base_lr").doubleValue();
            LrSchedule schedule = schedule(name, args, expected.length);
            for (int t = 0; t < expected.length; t++) {
                double ours = schedule.lr(t, base);
                if (expected[t] == 0) {
                    assertEquals(0.0, ours, name + " step " + t + ": PyTorch's lr is exactly 0");
                } else {
                    double rel = Math.abs(ours - expected[t]) / Math.abs(expected[t]);
                    int step = t;
                    assertTrue(rel <= 1e-12, () -> name + " step " + step + ": ours " + ours + ", PyTorch " + expected[step]
                            + ", relative error " + rel);
                }
            }
        }
    }

    private static Number num(Map<String, Object> a, String key) {
        Object v = a.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException(key + ": got " + v + ", expected a number in the golden metadata");
        }
        return n;
    }

    private static long[] longs(Object list) {
        return ((List<?>) list).stream().mapToLong(o -> ((Number) o).longValue()).toArray();
    }
}
