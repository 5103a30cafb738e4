package dev.fusedstep.conformance;

import dev.fusedstep.DType;
import dev.fusedstep.internal.cuda.CudaBackend;
import dev.fusedstep.io.Json;
import dev.fusedstep.io.JsonException;
import dev.fusedstep.io.SafeTensors;
import dev.fusedstep.io.SafeTensorsFormatException;
import dev.fusedstep.optim.OptimizerRule;
import dev.fusedstep.optim.PyTorchRules;
import dev.fusedstep.optim.ScalarState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Replays PyTorch reference trajectories (the golden optimizer cases, see
 * {@code shared/golden/README.md}) through an {@link dev.fusedstep.optim.Optimizer} on the CPU, or the
 * GPU backend's step kernels on a CUDA device, and measures how far each step
 * lands from PyTorch's float64 result, next to how far PyTorch's own float32 run lands.
 *
 * <p>A case file holds {@code param0}, {@code grad_1..grad_T}, {@code param32_t} (F32) and
 * {@code param64_t} (F64) for each step, the final state as {@code state32_<name>} /
 * {@code state64_<name>}, and metadata {@code optimizer}, {@code hyper} (constructor keyword
 * arguments as JSON), {@code steps} and {@code scalar_states}.
 */
public final class Conformance {
    private Conformance() {}

    static final String SUFFIX = ".safetensors";

    /** The {@code .safetensors} files in {@code dir} (sorted by name) whose header holds {@code param0}. */
    public static List<Path> caseFiles(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path f : safetensorsFiles(dir)) {
            if (isCaseFile(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /** Every {@code .safetensors} file directly in {@code dir}, sorted by name. */
    public static List<Path> safetensorsFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a directory, expected a folder of .safetensors case files");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p))
                    .sorted().toList();
        }
    }

    /** Whether {@code file} is an optimizer case (its header holds {@code param0}); throws if it is not valid safetensors. */
    public static boolean isCaseFile(Path file) throws IOException {
        try (SafeTensors st = SafeTensors.open(file)) {
            return st.contains("param0");
        }
    }

    /**
     * Replays the case in {@code file} on the scalar or vector loops with {@code threads} threads.
     *
     * @throws SafeTensorsFormatException if the file is not a well-formed case
     * @throws dev.fusedstep.optim.UnsupportedRuleException if it names an optimizer or argument fusedstep does not support
     */
    public static CaseResult run(Path file, boolean vectorized, int threads) throws IOException {
        return replay(file, (rule, param0) -> new CpuReplay(rule, param0, vectorized, threads));
    }

    /**
     * Replays the case in {@code file} on CUDA device {@code ordinal}, with the GPU backend's
     * multi-tensor step kernels, against the same bar as on the CPU.
     *
     * @throws IllegalStateException where no GPU backend can run here ({@link #cudaUnavailableReason()})
     * @throws SafeTensorsFormatException if the file is not a well-formed case
     */
    public static CaseResult runOnCuda(Path file, int ordinal) throws IOException {
        if (ordinal < 0) {
            throw new IllegalArgumentException("ordinal: got " + ordinal + ", expected a CUDA device index >= 0");
        }
        return replay(file, (rule, param0) -> new CudaReplay(rule, param0, ordinal));
    }

    /** Why {@link #runOnCuda} cannot run here, or null when it can. */
    public static String cudaUnavailableReason() {
        CudaBackend.Availability a = CudaBackend.availability();
        return a.available() ? null : a.reason();
    }

    /** Opens the backend a case runs on, given its rule and initial parameter. */
    private interface ReplayFactory {
        CaseReplay open(OptimizerRule rule, float[] param0);
    }

    private static CaseResult replay(Path file, ReplayFactory backend) throws IOException {
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<String, String> meta = st.metadata();
            String optimizer = required(file, meta, "optimizer");
            String hyper = meta.getOrDefault("hyper", "{}");
            OptimizerRule rule = PyTorchRules.fromPyTorch(optimizer, hyper);
            int steps = parseSteps(file, required(file, meta, "steps"));

            requireF32(file, st, "param0");
            long n = st.tensor("param0").numel();
            List<ErrorStats> stepErrors = new ArrayList<>();
            List<ErrorStats> stateErrors = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            String ran;
            try (CaseReplay r = backend.open(rule, st.tensor("param0").toFloatArray())) {
                ran = r.backend();
                for (int t = 1; t <= steps; t++) {
                    requireF32(file, st, "grad_" + t);
                    requireLength(file, st, "grad_" + t, n);
                    r.gradient(st.tensor("grad_" + t).toFloatArray());
                    r.step();
                    stepErrors.add(ErrorStats.of("step " + t, widen(r.param()), reference(file, st, "param32_" + t, n),
                            reference(file, st, "param64_" + t, n)));
                }
                for (String name : rule.stateNames()) {
                    if (!st.contains("state64_" + name) || !st.contains("state32_" + name)) {
                        problems.add("state '" + name + "': the file has no state32_/state64_" + name
                                + " to compare with (it holds " + stateNamesIn(st) + ")");
                        continue;
                    }
                    stateErrors.add(ErrorStats.of("state " + name, widen(r.state(name)),
                            reference(file, st, "state32_" + name, n), reference(file, st, "state64_" + name, n)));
                }
                for (String name : stateNamesIn(st)) {
                    if (!rule.stateNames().contains(name)) {
                        problems.add("state '" + name + "': PyTorch keeps it but " + rule + " has only " + rule.stateNames());
                    }
                }
                compareScalarState(file, meta, r.scalarState(), problems);
            }
            return new CaseResult(file.getFileName().toString(), optimizer, hyper, ran, steps, n,
                    stepErrors, stateErrors, problems);
        }
    }

    private static void compareScalarState(Path file, Map<String, String> meta, ScalarState ours, List<String> problems)
            throws SafeTensorsFormatException {
        String json = meta.get("scalar_states");
        if (json == null) {
            return;
        }
        Map<String, Object> scalars;
        try {
            scalars = Json.parseObject(json);
        } catch (JsonException ex) {
            throw new SafeTensorsFormatException(file + ": metadata scalar_states is not a JSON object: " + ex.getMessage(), ex);
        }
        if (scalars.get("state64_step") instanceof Number step && step.doubleValue() != ours.step()) {
            problems.add("scalar state step: ours " + ours.step() + ", PyTorch " + step);
        }
        // mu_product is a product of doubles on both sides; allow for rounding differences only
        if (scalars.get("state64_mu_product") instanceof Number mu
                && Math.abs(mu.doubleValue() - ours.muProduct()) > 1e-12 * Math.abs(mu.doubleValue())) {
            problems.add("scalar state mu_product: ours " + ours.muProduct() + ", PyTorch " + mu);
        }
    }

    private static List<String> stateNamesIn(SafeTensors st) {
        return st.names().stream().filter(s -> s.startsWith("state64_")).map(s -> s.substring("state64_".length())).toList();
    }

    private static String required(Path file, Map<String, String> meta, String key) throws SafeTensorsFormatException {
        String v = meta.get(key);
        if (v == null) {
            throw new SafeTensorsFormatException(file + ": metadata has no '" + key + "', expected an optimizer case"
                    + " (keys: " + meta.keySet() + ")");
        }
        return v;
    }

    private static int parseSteps(Path file, String s) throws SafeTensorsFormatException {
        try {
            int steps = Integer.parseInt(s.trim());
            if (steps >= 1) {
                return steps;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new SafeTensorsFormatException(file + ": metadata steps is \"" + s + "\", expected an integer >= 1");
    }

    private static void requireF32(Path file, SafeTensors st, String name) throws SafeTensorsFormatException {
        requirePresent(file, st, name);
        if (st.dtype(name) != DType.F32) {
            throw new SafeTensorsFormatException(file + ": tensor '" + name + "' is " + st.dtype(name) + ", expected F32");
        }
    }

    private static void requirePresent(Path file, SafeTensors st, String name) throws SafeTensorsFormatException {
        if (!st.contains(name)) {
            throw new SafeTensorsFormatException(file + ": has no tensor '" + name + "', expected one in an optimizer case");
        }
    }

    private static void requireLength(Path file, SafeTensors st, String name, long n) throws SafeTensorsFormatException {
        long[] shape = st.shape(name);
        long numel = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (numel != n) {
            throw new SafeTensorsFormatException(file + ": tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + ", expected " + n + " elements like param0");
        }
    }

    private static double[] reference(Path file, SafeTensors st, String name, long n) throws SafeTensorsFormatException {
        requirePresent(file, st, name);
        requireLength(file, st, name, n);
        return st.toDoubleArray(name);
    }

    private static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
